/**
 * Kubernetes name and label syntax (apimachinery/pkg/util/validation). Each check returns
 * undefined when valid, else a message in Kubernetes' wording so users recognise it.
 */
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/**
 * Kubernetes' relaxed rule (RelaxedEnvironmentVariableValidation, GA and locked on since 1.34):
 * any printable ASCII character but '=' (`my var`, `1ST`, `Logging__LogLevel`); Docker takes
 * any `KEY=value` whose key has no '='.
 */
const ENV_NAME = /^[\x20-\x3c\x3e-\x7e]+$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function checkDns1123Label(v: string): string | undefined {
  if (v.length > 63) return `must be no more than 63 characters (is ${v.length})`;
  if (!LABEL.test(v))
    return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc')";
  return undefined;
}

export function checkDns1123Subdomain(v: string): string | undefined {
  if (v.length > 253) return `must be no more than 253 characters (is ${v.length})`;
  if (!SUBDOMAIN.test(v))
    return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')";
  return undefined;
}

export function checkDns1035Label(v: string): string | undefined {
  if (v.length > 63) return `must be no more than 63 characters (is ${v.length})`;
  if (!DNS1035.test(v))
    return "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name', or 'abc-123')";
  return undefined;
}

export function checkLabelKey(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    if (prefix.length === 0) return 'prefix part must be non-empty';
    const p = checkDns1123Subdomain(prefix);
    if (p) return `prefix part ${p}`;
  }
  if (name.length === 0) return 'name part must be non-empty';
  if (name.length > 63) return `name part must be no more than 63 characters (is ${name.length})`;
  if (!QUALIFIED_NAME.test(name))
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', or 'my.name', or '123-abc')";
  return undefined;
}

export function checkLabelValue(v: string): string | undefined {
  if (v.length > 63) return `must be no more than 63 characters (is ${v.length})`;
  if (!LABEL_VALUE.test(v))
    return "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', or 'my_value', or '12345')";
  return undefined;
}

export function checkEnvVarName(v: string): string | undefined {
  if (!ENV_NAME.test(v))
    return "a valid environment variable name must consist only of printable ASCII characters other than '=' (e.g. 'my.env-name', or 'MY_ENV.NAME', or 'MyEnvName1')";
  return undefined;
}

export function checkConfigKey(v: string): string | undefined {
  if (v.length > 253) return `must be no more than 253 characters (is ${v.length})`;
  if (!CONFIG_KEY.test(v)) return "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name', or 'KEY_NAME', or 'key-name')";
  // A key is a file name in a configMap/secret volume: `.`/`..` name directories, and `..x`
  // is the kubelet's own namespace in that directory (`..data`, its atomic-update symlink).
  return checkChDirPrefix(v);
}

/** apimachinery's hasChDirPrefix, for config keys and volume item paths. */
export function checkChDirPrefix(v: string): string | undefined {
  if (v === '.') return "must not be '.'";
  if (v === '..') return "must not be '..'";
  if (v.startsWith('..')) return "must not start with '..'";
  return undefined;
}

/** IANA service names, as Kubernetes requires for named ports. */
export function checkPortName(v: string): string | undefined {
  if (v.length > 15) return `must be no more than 15 characters (is ${v.length})`;
  if (!PORT_NAME.test(v)) return "must contain only lower case alphanumeric characters or '-', and start and end with one";
  if (!/[a-z]/.test(v)) return 'must contain at least one letter';
  if (v.includes('--')) return "must not contain consecutive '-'";
  return undefined;
}
