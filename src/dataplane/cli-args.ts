/**
 * Command-line and environment options of the data-plane programs. Flags win over env; env
 * exists so an image can be configured without changing its command.
 */
import { parseArgs } from 'node:util';

export interface OptionSpec {
  flag: string;
  env: string;
  kind: 'string' | 'int' | 'list' | 'bool';
  default?: string | number | boolean | string[];
  help: string;
}

export type ParsedOptions = Record<string, string | number | boolean | string[] | undefined>;

export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'USAGE';
  constructor(
    message: string,
    /** `--help` was asked for: print usage and exit 0. */
    readonly help = false,
  ) {
    super(message);
  }
}

export function parseProgramArgs(argv: string[], env: NodeJS.ProcessEnv, specs: readonly OptionSpec[]): ParsedOptions {
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: Object.fromEntries([
        ['help', { type: 'boolean' as const }],
        ...specs.map((s) => [s.flag, { type: s.kind === 'bool' ? ('boolean' as const) : ('string' as const), multiple: s.kind === 'list' }]),
      ]),
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) throw new UsageError('help', true);
  const out: ParsedOptions = {};
  for (const s of specs) {
    const raw = values[s.flag] ?? env[s.env];
    if (raw === undefined || raw === '') {
      out[s.flag] = s.default;
      continue;
    }
    switch (s.kind) {
      case 'string':
        out[s.flag] = String(raw);
        break;
      case 'bool':
        out[s.flag] = raw === true || raw === 'true' || raw === '1';
        break;
      case 'list':
        out[s.flag] = (Array.isArray(raw) ? raw.map(String) : String(raw).split(',')).map((x) => x.trim()).filter(Boolean);
        break;
      case 'int': {
        const n = Number(raw);
        if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${s.flag} (${s.env}) must be a non-negative integer, got ${String(raw)}`);
        out[s.flag] = n;
        break;
      }
    }
  }
  return out;
}

export function usage(specs: readonly OptionSpec[]): string {
  return specs.map((s) => `  --${s.flag.padEnd(20)} ${s.help} (env ${s.env}${s.default === undefined ? '' : `, default ${String(s.default)}`})`).join('\n');
}
