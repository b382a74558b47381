import { describe, expect, it } from 'vitest';
import { DEFAULT_URL, parseArguments, USAGE, UsageError } from './arguments.js';

describe('parseArguments', () => {
  it('joins positionals into the prompt and applies defaults', () => {
    const parsed = parseArguments(['Tell', 'me', 'a story']);
    expect(parsed).toMatchObject({
      prompt: 'Tell me a story',
      url: DEFAULT_URL,
      transport: 'sse',
      json: false,
      help: false,
      progress: undefined,
      apiKey: undefined,
    });
  });

  it('reads every flag', () => {
    const parsed = parseArguments([
      '--provider',
      'anthropic',
      '--model=claude-x',
      '--url',
      'http://127.0.0.1:9999',
      '--json',
      '--ws',
      '--temperature',
      '0.5',
      '--max-tokens',
      '64',
      '--api-key',
      'k-123',
      '--progress',
      '--reasoning',
      'hi',
    ]);
    expect(parsed).toMatchObject({
      provider: 'anthropic',
      model: 'claude-x',
      url: 'http://127.0.0.1:9999',
      json: true,
      transport: 'ws',
      temperature: 0.5,
      maxTokens: 64,
      apiKey: 'k-123',
      progress: true,
      reasoning: true,
      prompt: 'hi',
    });
  });

  it('takes the URL and key from the environment, flags first', () => {
    const env = { RXLLM_URL: 'http://agent.example:1234', AGENT_API_KEY: 'from-env' };
    expect(parseArguments(['x'], env)).toMatchObject({ url: 'http://agent.example:1234', apiKey: 'from-env' });
    expect(parseArguments(['--url', 'http://other:1', '--api-key', 'flag', 'x'], env)).toMatchObject({
      url: 'http://other:1',
      apiKey: 'flag',
    });
  });

  it('leaves the prompt undefined so it is read from stdin', () => {
    expect(parseArguments([]).prompt).toBeUndefined();
  });

  it('recognises --help and -h', () => {
    expect(parseArguments(['--help']).help).toBe(true);
    expect(parseArguments(['-h']).help).toBe(true);
  });

  it('--no-progress wins over the terminal default', () => {
    expect(parseArguments(['--no-progress', 'x']).progress).toBe(false);
  });

  it.each([
    [['--bogus', 'x'], /bogus/],
    [['--model'], /model/],
    [['--temperature', 'hot', 'x'], /--temperature must be a valid number/],
    [['--max-tokens', '1.5', 'x'], /--max-tokens/],
    [['--max-tokens', '0', 'x'], /--max-tokens/],
    [['--url', 'not a url', 'x'], /--url must be an absolute/],
    [['--url', 'ftp://host/', 'x'], /http or https/],
    [['   '], /prompt is empty/],
  ])('rejects %j with a usage error', (argv, message) => {
    expect(() => parseArguments(argv)).toThrow(UsageError);
    expect(() => parseArguments(argv)).toThrow(message);
  });
});

describe('parseArguments: resume and follow', () => {
  it('reads --resume, --follow and --after', () => {
    expect(parseArguments(['--resume', 'hi'])).toMatchObject({ resume: true, follow: undefined, after: undefined });
    expect(parseArguments(['hi'])).toMatchObject({ resume: false });
    expect(parseArguments(['--follow', 'abc-123', '--after', '7'])).toMatchObject({
      follow: 'abc-123',
      after: 7,
      prompt: undefined,
    });
  });

  it('refuses a prompt with --follow, --after without --follow, and a bad id or number', () => {
    expect(() => parseArguments(['--follow', 'abc', 'hi'])).toThrow(UsageError);
    expect(() => parseArguments(['--after', '3', 'hi'])).toThrow(/only makes sense with --follow/);
    expect(() => parseArguments(['--follow', 'a b/c'])).toThrow(/needs a stream id/);
    expect(() => parseArguments(['--follow', 'abc', '--after', '-1'])).toThrow(UsageError);
  });
});

describe('parseArguments: attachments and JSON answers', () => {
  it('collects repeated --image and --file in order, none by default', () => {
    expect(parseArguments(['hi'])).toMatchObject({ images: [], files: [], jsonSchema: undefined, object: false });
    const parsed = parseArguments([
      '--image',
      'a.png',
      '--file',
      'doc.pdf',
      '--image=https://example.com/b.jpg',
      '--file',
      'notes.md',
      'describe',
    ]);
    expect(parsed).toMatchObject({
      images: ['a.png', 'https://example.com/b.jpg'],
      files: ['doc.pdf', 'notes.md'],
      prompt: 'describe',
    });
  });

  it('--yes and -y approve tool calls; neither by default; the help says how approvals work', () => {
    expect(parseArguments(['hi']).yes).toBe(false);
    expect(parseArguments(['--yes', 'hi']).yes).toBe(true);
    expect(parseArguments(['-y', 'hi'])).toMatchObject({ yes: true, prompt: 'hi' });
    expect(USAGE).toContain('-y, --yes');
    expect(USAGE).toContain('[y/N]');
    expect(USAGE).toContain('no terminal to ask on');
  });

  it('--json-schema and --object ask for an object; --json stays the event-lines flag', () => {
    expect(parseArguments(['--json-schema', 'person.json', 'hi'])).toMatchObject({
      jsonSchema: 'person.json',
      object: true,
      json: false,
    });
    expect(parseArguments(['--object', 'hi'])).toMatchObject({ jsonSchema: undefined, object: true, json: false });
    expect(parseArguments(['--object', '--json', 'hi'])).toMatchObject({ object: true, json: true });
    // --object with --follow only says how to print a followed structured reply.
    expect(parseArguments(['--follow', 'abc', '--object'])).toMatchObject({ follow: 'abc', object: true });
  });

  it.each([
    [['--image'], /image/],
    [['--image', '', 'hi'], /need a path/],
    [['--json-schema'], /json-schema/],
    [['--object=yes', 'hi'], /object/],
    [['--follow', 'abc', '--image', 'a.png'], /no --image or --file/],
    [['--follow', 'abc', '--file', 'a.pdf'], /no --image or --file/],
    [['--follow', 'abc', '--json-schema', 's.json'], /no --json-schema/],
    [['--follow', 'abc', '--yes'], /no --yes/],
    [['--yes=no', 'hi'], /yes/],
  ])('rejects %j with a usage error', (argv, message) => {
    expect(() => parseArguments(argv)).toThrow(UsageError);
    expect(() => parseArguments(argv)).toThrow(message);
  });
});
