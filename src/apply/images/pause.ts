import { specHash } from '../../model/hash.js';
import type { RootfsEntry } from './rootfs.js';

/**
 * The pod sandbox's only process: installs handlers that exit(0) on SIGTERM/SIGINT, then
 * waits for signals forever. Hand-assembled static ELF binaries (sources in assets/pause/,
 * rebuilt with GNU as + objcopy, see assets/pause/README.md) so berth can create its sandbox
 * image with no registry, no compiler and no busybox on the host.
 */
const PAUSE_X86_64 =
  '7f454c4602010100000000000000000002003e0001000000780040000000000040000000000000000000000000000000000000004000380001000000000000000100000005000000000000000000000000004000000000000000400000000000d500000000000000d5000000000000000010000000000000bf0f000000e813000000bf02000000e809000000b8220000000f05ebf7b80d000000488d351400000031d241ba080000000f05c3b8e700000031ff0f05ac004000000000000000000400000000ac004000000000000000000000000000';
const PAUSE_AARCH64 =
  '7f454c460201010000000000000000000200b70001000000780040000000000040000000000000000000000000000000000000004000380001000000000000000100000005000000000000000000000000004000000000000000400000000000f000000000000000f0000000000000000000010000000000e00180d20b000094400080d209000094000080d2010080d2020080d2030080d2040180d2280980d2010000d4f9ffff1741010010020080d2030180d2c81080d2010000d4c0035fd6000080d2c80b80d2010000d41f2003d5c000400000000000000000000000000000000000000000000000000000000000';

/** Docker's architecture names (`docker version` Arch). */
export function pauseBinary(arch: string): Buffer | undefined {
  if (arch === 'amd64' || arch === 'x86_64') return Buffer.from(PAUSE_X86_64, 'hex');
  if (arch === 'arm64' || arch === 'aarch64') return Buffer.from(PAUSE_AARCH64, 'hex');
  return undefined;
}

export function pauseRootfs(binary: Buffer): RootfsEntry[] {
  return [
    { type: 'file', path: 'pause', content: binary, mode: 0o755 },
    // Docker bind-mounts these over the image; they must exist as files for that to work.
    { type: 'file', path: 'etc/hostname', content: Buffer.alloc(0) },
    { type: 'file', path: 'etc/hosts', content: Buffer.alloc(0) },
    { type: 'file', path: 'etc/resolv.conf', content: Buffer.alloc(0) },
  ];
}

/** Tag changes whenever the binary does, so an upgraded berth never reuses a stale sandbox image. */
export function pauseImageRef(binary: Buffer): string {
  return `berth/pause:${specHash(binary.toString('hex')).slice(0, 12)}`;
}
