import type { Option } from 'commander';
import { Help } from 'commander';

const base = new Help();

/** A description that already names its default in parentheses: `(default)`, `(true, the default)`, `(default: $BERTH_NAMESPACE, the context's namespace, or "default")`. */
export function saysDefault(description: string): boolean {
  return /\([^()]*\bdefault\b[^()]*\)/i.test(description);
}

/**
 * How every option's help line is formatted (main.ts configures it for all commands): commander
 * appends `(default: x)` from the option's value, so a description that already says its
 * default in words would read it twice; the words win, they say more (an environment variable,
 * why).
 */
export function optionDescription(option: Option): string {
  if (option.defaultValue === undefined || !saysDefault(option.description)) return base.optionDescription(option);
  const quiet = Object.assign(Object.create(Object.getPrototypeOf(option) as object) as Option, option, { defaultValue: undefined });
  return base.optionDescription(quiet);
}

/** The one help text of every `-n`: flag > environment > `berth config` context > "default" (main.ts). */
export const NAMESPACE_HELP = 'namespace (default: $BERTH_NAMESPACE, the context\'s namespace, or "default")';
