/**
 * Small value helpers for CRI messages whose JS representation is easy to get wrong.
 *
 * KeyValue.value (container env var value) is `bytes` upstream. With proto-loader, a JS
 * *string* given for a bytes field is treated as base64 and decoded (or rejected), so an
 * env value must be passed as a Buffer/Uint8Array. These helpers do that conversion.
 */
import type { KeyValue, KeyValue__Output } from './generated/runtime/v1/KeyValue';

/** Build a CRI env var (KeyValue) from a plain string or raw bytes. */
export function criEnvVar(key: string, value: string | Uint8Array): KeyValue {
  return { key, value: typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value) };
}

/** Build CRI env vars from a record, preserving insertion order. */
export function criEnvVars(env: Readonly<Record<string, string>>): KeyValue[] {
  return Object.entries(env).map(([k, v]) => criEnvVar(k, v));
}

/** Read a decoded KeyValue's value as a UTF-8 string. */
export function criEnvValueToString(kv: Pick<KeyValue__Output, 'value'> | KeyValue): string {
  const v = kv.value;
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return Buffer.from(v, 'base64').toString('utf8');
  return Buffer.from(v).toString('utf8');
}
