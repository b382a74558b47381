import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { hostGuard, hostName, isJsonContentType, isOriginAllowed } from './guards.js';

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('hostGuard', () => {
  it('bound to loopback: the loopback names on any port, the bound address, and ALLOWED_HOSTS', () => {
    const allowed = hostGuard({ host: '127.0.0.5', allowedHosts: ['Agent.Lan'], allowedOrigins: [] });
    for (const host of [
      'localhost',
      'localhost:9',
      '127.0.0.1:8080',
      '[::1]',
      '[::1]:80',
      '127.0.0.5:1',
      'agent.lan:8',
    ])
      expect(allowed(host), host).toBe(true);
    for (const host of ['attacker.example', 'localhost.attacker.example', '127.0.0.2', '0.0.0.0:8080', '[::2]', ''])
      expect(allowed(host), host).toBe(false);
    expect(allowed(undefined)).toBe(true);
  });

  it('bound wider: any name when ALLOWED_HOSTS is empty, else only those and the loopback names', () => {
    expect(hostGuard({ host: '0.0.0.0', allowedHosts: [], allowedOrigins: [] })('agent.example:8080')).toBe(true);
    const listed = hostGuard({ host: '::', allowedHosts: ['agent.example'], allowedOrigins: [] });
    expect(listed('agent.example:8080')).toBe(true);
    expect(listed('localhost')).toBe(true);
    expect(listed('attacker.example')).toBe(false);
  });

  it('reads the name of a Host header', () => {
    expect(hostName('Example.COM:8080')).toBe('example.com');
    expect(hostName('example.com.')).toBe('example.com');
    expect(hostName('[::1]:8080')).toBe('[::1]');
  });
});

describe('isOriginAllowed', () => {
  it('same origin, listed origins and no Origin pass; others, null and junk do not', () => {
    const listed = ['https://app.example'];
    expect(isOriginAllowed(request({ host: 'localhost:8080', origin: 'http://localhost:8080' }), listed)).toBe(true);
    expect(isOriginAllowed(request({ host: 'localhost:8080', origin: 'https://app.example/' }), listed)).toBe(true);
    expect(isOriginAllowed(request({ host: 'localhost:8080' }), listed)).toBe(true);
    expect(isOriginAllowed(request({ host: 'localhost:8080', origin: 'http://localhost:8081' }), listed)).toBe(false);
    expect(isOriginAllowed(request({ host: 'localhost:8080', origin: 'null' }), listed)).toBe(false);
    expect(isOriginAllowed(request({ host: 'localhost:8080', origin: '%%' }), listed)).toBe(false);
  });
});

describe('isJsonContentType', () => {
  it('takes application/json and +json types, with parameters, in any case', () => {
    for (const type of [
      'application/json',
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/merge-patch+json',
    ])
      expect(isJsonContentType(type), type).toBe(true);
    for (const type of [
      undefined,
      '',
      'text/plain',
      'text/json',
      'application/jsonp',
      'multipart/form-data',
      'application/+json',
    ])
      expect(isJsonContentType(type), String(type)).toBe(false);
  });
});
