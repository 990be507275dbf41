/** The kubelet's server port flags, overriding KubeletConfiguration `port`, `readOnlyPort`, `healthzPort`. */
export interface ServerPortFlags {
  port: number | undefined;
  readOnlyPort: number | undefined;
  healthzPort: number | undefined;
}

/**
 * Each flag keeps the kubelet's name and meaning (cmd/kubelet/app/options/options.go). The value must be an
 * int32, as pflag parses it (`strconv.ParseInt` errors), and in the range ValidateKubeletConfiguration
 * accepts (pkg/kubelet/apis/config/validation/validation.go): port 1–65535; readOnlyPort and healthzPort
 * 0–65535, 0 turning that server off. Errors quote the kubelet's texts.
 */
export const SERVER_PORT_FLAG = {
  port: { flag: 'port', field: 'port', min: 1, range: 'between 1 and 65535, inclusive' },
  readOnlyPort: { flag: 'read-only-port', field: 'readOnlyPort', min: 0, range: 'between 0 and 65535, inclusive' },
  healthzPort: { flag: 'healthz-port', field: 'healthzPort', min: 0, range: 'between 1 and 65535, inclusive' },
} as const;

export function parseServerPortFlags(raw: Record<keyof ServerPortFlags, string | undefined>): ServerPortFlags {
  return {
    port: portFlag('port', raw.port),
    readOnlyPort: portFlag('readOnlyPort', raw.readOnlyPort),
    healthzPort: portFlag('healthzPort', raw.healthzPort),
  };
}

function portFlag(key: keyof ServerPortFlags, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const spec = SERVER_PORT_FLAG[key];
  const n = parseGoInt32(value);
  if (typeof n === 'string') throw new Error(`invalid argument ${JSON.stringify(value)} for "--${spec.flag}" flag: strconv.ParseInt: parsing ${JSON.stringify(value)}: ${n}`);
  if ((n !== 0 || spec.min > 0) && (n < 1 || n > 65535)) {
    // validation.go wording; for readOnlyPort and healthzPort 0 is allowed (server off).
    throw new Error(`invalid configuration: ${spec.field} (--${spec.flag}) ${n} must be ${spec.range}`);
  }
  return n;
}

/** strconv.ParseInt(s, 10, 32): the number, or the reason it is not one. */
function parseGoInt32(s: string): number | string {
  if (!/^[+-]?\d+$/.test(s)) return 'invalid syntax';
  const n = Number(s);
  if (n < -(2 ** 31) || n > 2 ** 31 - 1) return 'value out of range';
  return n;
}
