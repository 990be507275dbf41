import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateFeatureGates, featureSpecAt, parseKubeletVersion } from '../../../kubelet-sim/src/config';

const v = parseKubeletVersion;

describe('feature-gates', () => {
  describe('featureSpecAt', () => {
    it('returns the KubeletTracing lifecycle: alpha 1.25, beta 1.27, GA locked 1.34', () => {
      assert.deepEqual(featureSpecAt('KubeletTracing', v('1.25')), {
        preRelease: 'ALPHA', default: false, lockToDefault: false, since: { major: 1, minor: 25 },
      });
      assert.equal(featureSpecAt('KubeletTracing', v('1.26'))?.preRelease, 'ALPHA');
      assert.equal(featureSpecAt('KubeletTracing', v('1.27'))?.default, true);
      assert.equal(featureSpecAt('KubeletTracing', v('1.33'))?.preRelease, 'BETA');
      assert.deepEqual(featureSpecAt('KubeletTracing', v('1.34')), {
        preRelease: 'GA', default: true, lockToDefault: true, since: { major: 1, minor: 34 },
      });
    });

    it('returns undefined when the gate does not exist in that release', () => {
      assert.equal(featureSpecAt('NoSuchGate', v('1.34')), undefined);
      assert.equal(featureSpecAt('ImageMaximumGCAge', v('1.28')), undefined);
    });
  });

  describe('evaluateFeatureGates', () => {
    it('reports the locked-gate error when KubeletTracing=false on 1.34', () => {
      assert.deepEqual(evaluateFeatureGates({ KubeletTracing: false }, v('1.34')).errors, [
        'cannot set feature gate KubeletTracing to false, feature is locked to true',
      ]);
    });

    it('warns that a GA gate will be removed when KubeletTracing=true on 1.34', () => {
      const r = evaluateFeatureGates({ KubeletTracing: true }, v('1.34'));
      assert.deepEqual(r.errors, []);
      assert.deepEqual(r.warnings, ['Setting GA feature gate KubeletTracing=true. It will be removed in a future release.']);
      assert.equal(r.enabled('KubeletTracing'), true);
    });

    it('lets the beta gate be turned off when emulating 1.33', () => {
      const r = evaluateFeatureGates({ KubeletTracing: false }, v('1.33'));
      assert.deepEqual(r.errors, []);
      assert.deepEqual(r.warnings, []);
      assert.equal(r.enabled('KubeletTracing'), false);
    });

    it('stops at the first unrecognized gate with the component-base message', () => {
      assert.deepEqual(evaluateFeatureGates({ Bogus: true, Zzz: true }, v('1.34')).errors, ['unrecognized feature gate: Bogus']);
    });

    it('enables unset alpha gates when AllAlpha=true', () => {
      const r = evaluateFeatureGates({ AllAlpha: true }, v('1.25'));
      assert.equal(r.enabled('KubeletTracing'), true);
      assert.equal(r.enabled('NoSuchGate'), false);
    });
  });
});
