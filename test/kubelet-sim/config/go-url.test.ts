import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { goUrlParse, GoUrlError } from '../../../kubelet-sim/src/config';

describe('go-url', () => {
  describe('goUrlParse', () => {
    const schemes: [string, string][] = [
      ['dns://localhost:4317', 'dns'],
      ['dns:///collector.monitoring.svc:4317', 'dns'],
      ['DNS://localhost:4317', 'dns'],
      ['unix:///var/run/otel.sock', 'unix'],
      ['unix-abstract://otel', 'unix-abstract'],
      ['http://localhost:4317', 'http'],
      ['dns://[::1]:4317', 'dns'],
      ['//localhost:4317', ''],
    ];
    for (const [input, scheme] of schemes) {
      it(`returns scheme ${JSON.stringify(scheme)} when given ${input}`, () => {
        assert.equal(goUrlParse(input).scheme, scheme);
      });
    }

    it('returns the host when given an authority', () => {
      assert.equal(goUrlParse('dns://localhost:4317').host, 'localhost:4317');
    });

    const errors: [string, string][] = [
      ['dn%2s://localhost:4317', 'parse "dn%2s://localhost:4317": first path segment in URL cannot contain colon'],
      ['dns://local%2shost:4317', 'parse "dns://local%2shost:4317": invalid URL escape "%2s"'],
      ['dns://localhost:4317/%zz', 'parse "dns://localhost:4317/%zz": invalid URL escape "%zz"'],
      ['dns://localhost%', 'parse "dns://localhost%": invalid URL escape "%"'],
      ['://localhost:4317', 'parse "://localhost:4317": missing protocol scheme'],
      ['dns://localhost:43a7', 'parse "dns://localhost:43a7": invalid port ":43a7" after host'],
      ['dns://local host:4317', 'parse "dns://local host:4317": invalid character " " in host name'],
      ['dns://local\nhost', 'parse "dns://local\\nhost": net/url: invalid control character in URL'],
      ['dns://[::1:4317', 'parse "dns://[::1:4317": missing \']\' in host'],
      ['dns://[127.0.0.1]:4317', 'parse "dns://[127.0.0.1]:4317": invalid IP-literal'],
      ['dns://localhost#%zz', 'parse "dns://localhost#%zz": invalid URL escape "%zz"'],
    ];
    for (const [input, message] of errors) {
      it(`throws ${JSON.stringify(message)} when given ${JSON.stringify(input)}`, () => {
        assert.throws(() => goUrlParse(input), (e: unknown) => e instanceof GoUrlError && e.message === message);
      });
    }
  });
});
