/**
 * The kubelet's parsing of its eviction settings (pkg/kubelet/eviction/helpers.go ParseThresholdConfig,
 * parseThresholdStatement, parsePercentage, parseGracePeriods, parseMinimumReclaims; the same texts from 1.2x
 * through master): each error is thrown with the kubelet's own text. kubelet-sim does not evict; it parses so
 * that a configuration the kubelet refuses at start is refused here too.
 */
import { GoDurationError, parseGoDuration } from '../config/go-duration';
import { parseQuantity, QuantityError } from '../config/quantity';

/** evictionapi signals the kubelet knows (helpers.go signalToResource). */
export const EVICTION_SIGNALS = [
  'memory.available', 'allocatableMemory.available', 'imagefs.available', 'imagefs.inodesFree', 'containerfs.available',
  'containerfs.inodesFree', 'nodefs.available', 'nodefs.inodesFree', 'pid.available',
] as const;

/** The kubelet's text, and the field whose entry it is about. */
export class EvictionConfigError extends Error {
  constructor(message: string, readonly field: EvictionField = 'evictionHard') {
    super(message);
  }
}

export type EvictionField = 'evictionHard' | 'evictionSoft' | 'evictionSoftGracePeriod' | 'evictionMinimumReclaim';

const unsupported = (signal: string): EvictionConfigError => new EvictionConfigError(`unsupported eviction signal ${signal}`);
const isSignal = (s: string): boolean => (EVICTION_SIGNALS as readonly string[]).includes(s);

/**
 * Go map iteration has no order, so with several bad entries the kubelet names any one of them; this names
 * the first in key order.
 */
const sorted = (m: Readonly<Record<string, string>>): Array<[string, string]> => Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** strconv.ParseFloat(strings.TrimRight(input, "%"), 32) / 100, or strconv's error text. */
function parsePercentage(input: string): number {
  const text = input.replace(/%+$/, '');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) && !/^[+-]?(inf|infinity|nan)$/i.test(text)) {
    throw new EvictionConfigError(`strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`);
  }
  return Number(text) / 100;
}

/** A quantity as Go's Quantity.String prints it: zero is "0"; other values are shown as written. */
const quantityText = (text: string, value: number): string => (value === 0 ? '0' : text);

function checkThreshold(signal: string, val: string): void {
  if (!isSignal(signal)) throw unsupported(signal);
  if (val.endsWith('%')) {
    if (val === '0%' || val === '100%') return;
    const p = parsePercentage(val);
    if (p < 0) throw new EvictionConfigError(`eviction percentage threshold ${signal} must be >= 0%: ${val}`);
    if (p > 1) throw new EvictionConfigError(`eviction percentage threshold ${signal} must be <= 100%: ${val}`);
    return;
  }
  const q = parseQuantity(val);
  if (q <= 0) throw new EvictionConfigError(`eviction threshold ${signal} must be positive: ${quantityText(val, q)}`);
}

export interface EvictionSettings {
  evictionHard: Readonly<Record<string, string>>;
  evictionSoft: Readonly<Record<string, string>>;
  evictionSoftGracePeriod: Readonly<Record<string, string>>;
  evictionMinimumReclaim: Readonly<Record<string, string>>;
}

/**
 * ParseThresholdConfig: hard thresholds, soft thresholds, grace periods, minimum reclaims, then the pairing.
 * Throws an EvictionConfigError naming the field; quantity and duration errors keep the Go text.
 */
export function checkEvictionSettings(s: EvictionSettings): void {
  let field: EvictionField = 'evictionHard';
  try {
    checkEach(s, (f) => (field = f));
  } catch (err) {
    if (err instanceof EvictionConfigError || err instanceof QuantityError || err instanceof GoDurationError) throw new EvictionConfigError(err.message, field);
    throw err;
  }
}

function checkEach(s: EvictionSettings, at: (field: EvictionField) => void): void {
  at('evictionHard');
  for (const [signal, val] of sorted(s.evictionHard)) checkThreshold(signal, val);
  const soft: string[] = [];
  at('evictionSoft');
  for (const [signal, val] of sorted(s.evictionSoft)) {
    checkThreshold(signal, val);
    if (!(val === '0%' || val === '100%')) soft.push(signal);
  }
  at('evictionSoftGracePeriod');
  for (const [signal, val] of sorted(s.evictionSoftGracePeriod)) {
    if (!isSignal(signal)) throw unsupported(signal);
    if (parseGoDuration(val) < 0n) throw new EvictionConfigError(`invalid eviction grace period specified: ${val}, must be a positive value`);
  }
  at('evictionMinimumReclaim');
  for (const [signal, val] of sorted(s.evictionMinimumReclaim)) {
    if (!isSignal(signal)) throw unsupported(signal);
    if (val.endsWith('%')) {
      if (parsePercentage(val) <= 0) throw new EvictionConfigError(`eviction percentage minimum reclaim ${signal} must be positive: ${val}`);
    } else if (parseQuantity(val) < 0) {
      throw new EvictionConfigError(`negative eviction minimum reclaim specified for ${signal}`);
    }
  }
  at('evictionSoft');
  for (const signal of soft) {
    if (!(signal in s.evictionSoftGracePeriod)) throw new EvictionConfigError(`grace period must be specified for the soft eviction threshold ${signal}`);
  }
}
