import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addQuantity, formatQuantity, quantityFormat } from '../../../kubelet-sim/src/config/quantity';

/* apimachinery resource/quantity.go: the Format a suffix gives, Add, and String (CanonicalizeBytes). */

describe('quantityFormat', () => {
  it('is BinarySI for Ki…Ei, DecimalExponent for e/E, DecimalSI for the rest', () => {
    assert.equal(quantityFormat('1Gi'), 'BinarySI');
    assert.equal(quantityFormat('1e3'), 'DecimalExponent');
    assert.equal(quantityFormat('1E3'), 'DecimalExponent');
    for (const t of ['100', '1k', '100M', '500m', '0']) assert.equal(quantityFormat(t), 'DecimalSI', t);
  });
});

describe('addQuantity', () => {
  it('keeps the receiver\'s format, or takes the operand\'s when the receiver is zero', () => {
    assert.deepEqual(addQuantity({ value: 0, format: 'DecimalSI' }, { value: 1024, format: 'BinarySI' }), { value: 1024, format: 'BinarySI' });
    assert.deepEqual(addQuantity({ value: 1000, format: 'DecimalSI' }, { value: 1024, format: 'BinarySI' }), { value: 2024, format: 'DecimalSI' });
  });
});

describe('formatQuantity', () => {
  it('prints BinarySI in the largest exact power of 1024', () => {
    assert.equal(formatQuantity({ value: 2 ** 30, format: 'BinarySI' }), '1Gi');
    assert.equal(formatQuantity({ value: 1124 * 2 ** 20, format: 'BinarySI' }), '1124Mi');
    assert.equal(formatQuantity({ value: -2 * 2 ** 30, format: 'BinarySI' }), '-2Gi');
    assert.equal(formatQuantity({ value: 1536, format: 'BinarySI' }), '1536');
  });

  it('prints BinarySI below 1024 or with a fraction as DecimalSI', () => {
    assert.equal(formatQuantity({ value: 1000, format: 'BinarySI' }), '1k');
    assert.equal(formatQuantity({ value: 100, format: 'BinarySI' }), '100');
    assert.equal(formatQuantity({ value: 1.5, format: 'BinarySI' }), '1500m');
  });

  it('prints DecimalSI with an exponent that is a multiple of 3', () => {
    assert.equal(formatQuantity({ value: 1500, format: 'DecimalSI' }), '1500');
    assert.equal(formatQuantity({ value: 100e6, format: 'DecimalSI' }), '100M');
    assert.equal(formatQuantity({ value: 0.1, format: 'DecimalSI' }), '100m');
    assert.equal(formatQuantity({ value: 2e9, format: 'DecimalSI' }), '2G');
  });

  it('prints DecimalExponent as e<n> and zero as "0" in any format', () => {
    assert.equal(formatQuantity({ value: 1000, format: 'DecimalExponent' }), '1e3');
    assert.equal(formatQuantity({ value: 12, format: 'DecimalExponent' }), '12');
    assert.equal(formatQuantity({ value: 0, format: 'BinarySI' }), '0');
  });
});
