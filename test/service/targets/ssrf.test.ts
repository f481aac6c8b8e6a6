/**
 * The SSRF guard: address classification, and a corpus of hostile webhook targets aimed at canary listeners on
 * loopback, each refused at creation and at delivery with 0 connections reaching the canaries.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { hostname } from 'node:os';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKairosError } from '../../../src/core/errors.js';
import { HttpTarget } from '../../../src/service/targets/http-target.js';
import { blockedReason, embeddedIPv4 } from '../../../src/service/targets/ip-ranges.js';
import { SsrfGuard, type HostResolver } from '../../../src/service/targets/ssrf.js';
import { validateTargetSpec } from '../../../src/service/targets/target-spec.js';
import { newSecret, startCanary, startReceiver, type Canary } from './receiver.js';

describe('address classification', () => {
  it.each([
    ['127.0.0.1', 'loopback'], ['127.255.255.254', 'loopback'], ['10.1.2.3', 'private'], ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'], ['169.254.169.254', 'link-local'], ['100.64.0.1', 'carrier-grade'], ['0.0.0.0', 'unspecified'],
    ['224.0.0.251', 'multicast'], ['255.255.255.255', 'broadcast'], ['::1', 'loopback'], ['::', 'unspecified'],
    ['fe80::1', 'link-local'], ['fd00:ec2::254', 'unique-local'], ['fc00::1', 'unique-local'], ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'], ['::ffff:7f00:1', 'loopback'], ['::ffff:a9fe:a9fe', 'link-local'],
    ['64:ff9b::10.0.0.1', 'private'], ['2002:c0a8:0101::1', 'private'], ['::127.0.0.1', 'IPv4-compatible'], ['2001:db8::1', 'documentation'],
  ])('%s is refused (%s)', (address, reason) => {
    expect(blockedReason(address)).toContain(reason);
  });

  it.each(['93.184.216.34', '8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8', '172.32.0.1', '100.128.0.1'])(
    '%s is public', (address) => {
      expect(blockedReason(address)).toBeNull();
    },
  );

  it('judges every IPv4 address the same in its IPv6-mapped, NAT64 and 6to4 forms (property)', () => {
    const byte = fc.integer({ min: 0, max: 255 });
    fc.assert(fc.property(byte, byte, byte, byte, (a, b, c, d) => {
      const v4 = `${a}.${b}.${c}.${d}`;
      const hi = ((a << 8) | b).toString(16);
      const lo = ((c << 8) | d).toString(16);
      const refusedV4 = blockedReason(v4) !== null;
      for (const v6 of [`::ffff:${v4}`, `::ffff:${hi}:${lo}`, `64:ff9b::${v4}`, `64:ff9b::${hi}:${lo}`, `2002:${hi}:${lo}::1`]) {
        expect(embeddedIPv4(v6), v6).toBe(v4);
        expect(blockedReason(v6) !== null, v6).toBe(refusedV4);
      }
    }), { numRuns: 2_000 });
  });

  it('reads the IPv4 inside mapped, NAT64 and 6to4 addresses', () => {
    expect(embeddedIPv4('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(embeddedIPv4('[::ffff:127.0.0.1]')).toBe('127.0.0.1');
    expect(embeddedIPv4('64:ff9b::a00:1')).toBe('10.0.0.1');
    expect(embeddedIPv4('2002:a9fe:a9fe::')).toBe('169.254.169.254');
    expect(embeddedIPv4('2606:4700::1')).toBeNull();
  });
});

describe('hostile targets', () => {
  let canary: Canary;
  /** Names the test's resolver answers, as a DNS server under an attacker's control would. */
  const fakeDns: Record<string, string[]> = {
    'evil.test': ['127.0.0.1'],
    'mixed.test': ['93.184.216.34', '127.0.0.1'],
    'v6loop.test': ['::1'],
    'mapped.test': ['::ffff:127.0.0.1'],
    'meta.test': ['169.254.169.254'],
    'private.test': ['10.0.0.5'],
    'cgnat.test': ['100.64.1.1'],
    '127.0.0.1.nip.io': ['127.0.0.1'],
    'ula.test': ['fd00:ec2::254'],
    'ip6-localhost': ['::1'],
  };
  const resolve: HostResolver = async (host) => {
    const fake = fakeDns[host];
    if (fake !== undefined) return fake.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    return new Promise<LookupAddress[]>((ok, fail) => dnsLookup(host, { all: true }, (e, a) => (e === null ? ok(a) : fail(e))));
  };

  let ownNameResolves = false;

  beforeAll(async () => {
    canary = await startCanary();
    ownNameResolves = await resolve(hostname()).then((a) => a.length > 0, () => false);
  });
  afterAll(async () => {
    await canary.close();
  });

  function corpus(p: number): string[] {
    return [
      `http://127.0.0.1:${p}/`, `http://localhost:${p}/`, `http://LOCALHOST:${p}/`, `http://localhost.:${p}/`,
      `http://2130706433:${p}/`, `http://0177.0.0.1:${p}/`, `http://0x7f000001:${p}/`, `http://0x7f.0x0.0x0.0x1:${p}/`,
      `http://127.1:${p}/`, `http://127.0.1:${p}/`, `http://0:${p}/`, `http://0.0.0.0:${p}/`, `http://017700000001:${p}/`,
      `http://[::1]:${p}/`, `http://[::]:${p}/`, `http://[::ffff:127.0.0.1]:${p}/`, `http://[::ffff:7f00:1]:${p}/`,
      `http://[0:0:0:0:0:ffff:127.0.0.1]:${p}/`, `http://[::127.0.0.1]:${p}/`, `http://[64:ff9b::127.0.0.1]:${p}/`,
      `http://[2002:7f00:1::1]:${p}/`, `http://[fe80::1]:${p}/`, `http://[fc00::1]:${p}/`, `http://[fd00:ec2::254]:${p}/`,
      `http://[ff02::1]:${p}/`, `http://[::ffff:a9fe:a9fe]:${p}/`, `http://169.254.169.254:${p}/`,
      'http://169.254.169.254/latest/meta-data/', 'http://metadata.google.internal/computeMetadata/v1/', `http://metadata:${p}/`,
      `http://100.64.0.1:${p}/`, `http://10.0.0.1:${p}/`, `http://172.16.0.1:${p}/`, `http://192.168.1.1:${p}/`,
      `http://224.0.0.1:${p}/`, `http://255.255.255.255:${p}/`, `http://127.255.255.254:${p}/`, `http://198.18.0.1:${p}/`,
      `http://foo.localhost:${p}/`, `http://evil.test:${p}/`, `http://mixed.test:${p}/`, `http://v6loop.test:${p}/`,
      `http://mapped.test:${p}/`, `http://meta.test:${p}/`, `http://private.test:${p}/`, `http://cgnat.test:${p}/`,
      `http://127.0.0.1.nip.io:${p}/`, `http://ula.test:${p}/`, `https://127.0.0.1:${p}/`, `http://ip6-localhost:${p}/`,
      `http://user:pass@127.0.0.1:${p}/`, `ftp://127.0.0.1:${p}/`, `gopher://127.0.0.1:${p}/_x`, 'file:///etc/passwd',
      `http://[::1%25lo]:${p}/`, `javascript:alert(1)`,
      // This machine's own name through the system resolver, when it resolves (to loopback in /etc/hosts, usually).
      ...(ownNameResolves ? [`http://${hostname()}:${p}/`] : []),
    ];
  }

  it('refuses every target of the corpus at creation and at delivery; no connection reaches a canary', async () => {
    const urls = corpus(canary.port);
    expect(urls.length).toBeGreaterThanOrEqual(40);
    const guard = new SsrfGuard({ resolve, allowHosts: ['192.0.2.77', 'receiver.example'] });
    const http = new HttpTarget({ guard });
    const secret = newSecret();
    const codes: Record<string, string> = {};
    try {
      for (const url of urls) {
        const spec = { kind: 'http' as const, url, secrets: [secret], timeoutMs: 1_000, connectTimeoutMs: 1_000 };
        const created = await validateTargetSpec(spec, { guard }).then(() => 'accepted', (e: unknown) => (isKairosError(e) ? e.code : String(e)));
        expect(['TARGET_REFUSED', 'TARGET_INVALID'], `${url} at creation`).toContain(created);
        const outcome = await http.deliver(spec, { id: 1, queue: 'q', key: null, attempt: 1, payload: { x: 1 } });
        expect(outcome.ok, url).toBe(false);
        if (!outcome.ok) {
          expect(['TARGET_REFUSED', 'TARGET_INVALID'], `${url} at delivery: ${outcome.error.message}`).toContain(outcome.error.code);
          expect(outcome.final, url).toBe(true);
          codes[url] = outcome.error.code;
        }
      }
    } finally {
      await http.close();
    }
    expect(Object.keys(codes)).toHaveLength(urls.length);
    expect(canary.connections).toBe(0);

    // The control: the canary does count a connection once its address is allowed.
    const allowed = new HttpTarget({ guard: new SsrfGuard({ allowHosts: ['127.0.0.1'] }) });
    const outcome = await allowed.deliver({ kind: 'http', url: `http://127.0.0.1:${canary.port}/`, secrets: [secret], timeoutMs: 1_000 }, { id: 1, queue: 'q', key: null, attempt: 1, payload: 1 });
    await allowed.close();
    expect(outcome.ok).toBe(false);
    expect(canary.connections).toBe(1);
  });

  it('does not follow a redirect from an allowed receiver to loopback', async () => {
    const before = canary.connections;
    const receiver = await startReceiver(() => ({ status: 302, headers: { location: `http://localhost:${canary.port}/` } }));
    const http = new HttpTarget({ guard: new SsrfGuard({ allowHosts: ['127.0.0.1'] }) });
    try {
      const outcome = await http.deliver({ kind: 'http', url: `${receiver.url}/hook`, secrets: [newSecret()] }, { id: 2, queue: 'q', key: null, attempt: 1, payload: 1 });
      expect(outcome).toMatchObject({ ok: false, error: { code: 'TARGET_FAILED' }, record: { status: 302, headers: { location: `http://localhost:${canary.port}/` } } });
      expect(receiver.requests).toHaveLength(1);
    } finally {
      await http.close();
      await receiver.close();
    }
    expect(canary.connections).toBe(before);
  });

  it('pins the connection to the checked address: a name that rebinds to loopback between check and connect is refused', async () => {
    const before = canary.connections;
    let calls = 0;
    // The first answer is public, every later one loopback: the check passes, the connection's own lookup is refused.
    const rebinding: HostResolver = async () => [{ address: ++calls === 1 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
    const guard = new SsrfGuard({ resolve: rebinding });
    const spec = { kind: 'http' as const, url: `http://rebind.test:${canary.port}/`, secrets: [newSecret()], connectTimeoutMs: 1_000, timeoutMs: 1_000 };
    await expect(validateTargetSpec(spec, { guard })).resolves.toMatchObject({ kind: 'http' });
    const http = new HttpTarget({ guard });
    const outcome = await http.deliver(spec, { id: 3, queue: 'q', key: null, attempt: 1, payload: 1 });
    await http.close();
    expect(outcome).toMatchObject({ ok: false, error: { code: 'TARGET_REFUSED' } });
    expect(canary.connections).toBe(before);
  });

  it('connects an allowed name to the address its own lookup checked (no second lookup by the socket)', async () => {
    const receiver = await startReceiver();
    const resolveOnly: HostResolver = async (host) => (host === 'receiver.test' ? [{ address: '127.0.0.1', family: 4 }] : []);
    const http = new HttpTarget({ guard: new SsrfGuard({ resolve: resolveOnly, allowHosts: ['receiver.test'] }) });
    try {
      // receiver.test exists only in the guard's resolver: the request can only arrive if the socket used its answer.
      const outcome = await http.deliver({ kind: 'http', url: `http://receiver.test:${receiver.port}/in`, secrets: [newSecret()] }, { id: 4, queue: 'q', key: null, attempt: 1, payload: { a: 1 } });
      expect(outcome.ok).toBe(true);
      expect(receiver.requests[0]).toMatchObject({ url: '/in', headers: { host: `receiver.test:${receiver.port}` } });
    } finally {
      await http.close();
      await receiver.close();
    }
  });

  it('remembers a passed host for recentMs before a delivery, never a refusal', async () => {
    let now = 1_000_000;
    let answer = '93.184.216.34';
    let calls = 0;
    const guard = new SsrfGuard({ resolve: async () => (calls++, [{ address: answer, family: 4 }]), recentMs: 5_000, now: () => now });
    await guard.checkRecent('api.example');
    await guard.checkRecent('api.example');
    expect(calls).toBe(1);
    answer = '127.0.0.1';
    now += 5_001;
    await expect(guard.checkRecent('api.example')).rejects.toMatchObject({ code: 'TARGET_REFUSED' });
    await expect(guard.checkRecent('api.example')).rejects.toMatchObject({ code: 'TARGET_REFUSED' });
    expect(calls).toBe(3);
    // The connection's own lookup never uses what checkRecent remembered.
    await expect(guard.check('api.example')).rejects.toMatchObject({ code: 'TARGET_REFUSED' });
  });

  it('accepts CIDR allowlist entries and refuses malformed ones', async () => {
    const guard = new SsrfGuard({ allowHosts: ['127.0.0.0/8', '::1'] });
    await expect(guard.check('127.0.0.9')).resolves.toMatchObject({ hostname: '127.0.0.9' });
    await expect(guard.check('[::1]')).resolves.toMatchObject({ hostname: '::1' });
    await expect(guard.check('10.0.0.1')).rejects.toMatchObject({ code: 'TARGET_REFUSED' });
    expect(() => new SsrfGuard({ allowHosts: ['10.0.0.0/99'] })).toThrow(expect.objectContaining({ code: 'TARGET_INVALID' }));
  });
});
