// The floor of a read command with process start-up counted (bench:scale): a fresh node process
// that loads dockerode and makes the same reads `berth get pods -A` needs, and prints the rows.
// `list`: one listContainers of the app; `restarts`: that list plus one inspect per app
// container (Docker's list has no restart counts). Usage: node scale-read-floor.cjs APP list|restarts
'use strict';
const Docker = require('dockerode');

async function main() {
  const [app, mode] = process.argv.slice(2);
  const docker = new Docker();
  const cs = await docker.listContainers({ all: true, filters: { label: ['berth.managed=true', `berth.app=${app}`] } });
  const restarts = new Map();
  if (mode === 'restarts') {
    await Promise.all(
      cs.filter((c) => c.Labels['berth.role'] === 'container').map(async (c) => restarts.set(c.Id, (await docker.getContainer(c.Id).inspect()).RestartCount)),
    );
  }
  const rows = cs.map((c) => `${c.Labels['berth.namespace']}\t${c.Labels['berth.name']}\t${c.State}\t${restarts.get(c.Id) ?? ''}`);
  process.stdout.write(`${rows.join('\n')}\n`);
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
