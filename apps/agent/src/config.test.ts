import { describe, expect, it } from 'vitest';
import { assertSafeBind, ConfigError, isLoopbackHost, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      logLevel: 'info',
      agentApiKey: undefined,
      allowedOrigins: [],
      allowedHosts: [],
      allowUnauthenticated: false,
      maxBodyBytes: 20 * 1024 * 1024,
      maxMessageChars: 100_000,
      maxContentParts: 20,
      maxAttachmentBytes: 10 * 1024 * 1024,
      pingIntervalMs: 15_000,
      maxBufferedBytes: 1024 * 1024,
      slowConsumerGraceMs: 5_000,
      firstChunkTimeoutMs: 60_000,
      idleTimeoutMs: 30_000,
      totalTimeoutMs: 600_000,
      maxRetries: 2,
      shutdownDrainMs: 10_000,
      statsIntervalMs: 1_000,
      resumableStreams: false,
      resumeGraceMs: 30_000,
      resumeRetentionMs: 300_000,
      resumeMaxGenerations: 10_000,
      redisUrl: undefined,
      rateLimitPerMinute: 0,
      rateLimitBurst: 0,
    });
  });

  it('reads the resumability, Redis and rate-limit settings; the burst defaults to the per-minute value', () => {
    const config = loadConfig({
      RESUME_GRACE_MS: '300',
      REDIS_URL: 'redis://127.0.0.1:6379/2',
      RATE_LIMIT_PER_MINUTE: '60',
    });
    expect(config).toMatchObject({
      resumeGraceMs: 300,
      redisUrl: 'redis://127.0.0.1:6379/2',
      rateLimitPerMinute: 60,
      rateLimitBurst: 60,
    });
    expect(loadConfig({ RATE_LIMIT_PER_MINUTE: '60', RATE_LIMIT_BURST: '5' }).rateLimitBurst).toBe(5);
    expect(() => loadConfig({ REDIS_URL: 'http://user:pw-secret@host' })).toThrow(
      /REDIS_URL must start with redis:\/\//,
    );
    expect(() => loadConfig({ REDIS_URL: 'http://user:pw-secret@host' })).not.toThrow(/pw-secret/);
  });

  it('reads values, 0 turns a timeout off, origins are normalised', () => {
    const config = loadConfig({
      PORT: '3000',
      LOG_LEVEL: 'DEBUG',
      IDLE_TIMEOUT_MS: '0',
      ALLOWED_ORIGINS: 'https://a.example/, http://localhost:5173',
      RESUMABLE_STREAMS: 'true',
    });
    expect(config.port).toBe(3000);
    expect(config.logLevel).toBe('debug');
    expect(config.idleTimeoutMs).toBeUndefined();
    expect(config.allowedOrigins).toEqual(['https://a.example', 'http://localhost:5173']);
    expect(config.resumableStreams).toBe(true);
  });

  it('names every bad variable, never echoing a value', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        SSE_PING_MS: '-5',
        LOG_LEVEL: 'loud',
        RESUMABLE_STREAMS: 'maybe',
        AGENT_API_KEY: 'secret-value',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/PORT must be an integer/);
    expect(message).toMatch(/SSE_PING_MS must be an integer/);
    expect(message).toMatch(/LOG_LEVEL must be one of/);
    expect(message).toMatch(/RESUMABLE_STREAMS must be true or false/);
    expect(message).not.toContain('eighty');
    expect(message).not.toContain('secret-value');
  });

  it('reads ALLOWED_HOSTS (lower case, no blanks) and ALLOW_UNAUTHENTICATED', () => {
    const config = loadConfig({ ALLOWED_HOSTS: ' Agent.Example , ,lan-box ', ALLOW_UNAUTHENTICATED: 'true' });
    expect(config.allowedHosts).toEqual(['agent.example', 'lan-box']);
    expect(config.allowUnauthenticated).toBe(true);
  });

  it('refuses to bind beyond loopback without AGENT_API_KEY unless ALLOW_UNAUTHENTICATED=true', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.5', 'example.com']) expect(isLoopbackHost(host)).toBe(false);
    expect(() => assertSafeBind('127.0.0.1', loadConfig({}))).not.toThrow();
    expect(() => assertSafeBind('0.0.0.0', loadConfig({}))).toThrow(/set AGENT_API_KEY.*ALLOW_UNAUTHENTICATED=true/);
    expect(() => assertSafeBind('0.0.0.0', loadConfig({ AGENT_API_KEY: 'k' }))).not.toThrow();
    expect(() => assertSafeBind('::', loadConfig({ ALLOW_UNAUTHENTICATED: 'true' }))).not.toThrow();
  });
});
