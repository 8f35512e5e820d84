import { systemClock } from '../src/runtime/clock.js';
import { createDockerClient } from '../src/apply/docker.js';
import { buildExampleImages } from './images.js';

const docker = createDockerClient({ clock: systemClock, ...(process.env.DOCKER_HOST ? { host: process.env.DOCKER_HOST } : {}) });
const refs = await buildExampleImages(docker);
for (const r of refs) console.log(`image ready: ${r}`);
