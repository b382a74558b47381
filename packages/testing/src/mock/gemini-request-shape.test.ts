import { describe, expect, it } from 'vitest';
import { geminiRequestProblem } from './gemini-request-shape.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const userParts = (...parts: unknown[]) => ({ contents: [{ role: 'user', parts }] });
const weatherTool = { functionDeclarations: [{ name: 'weather', parameters: { type: 'object' } }] };

describe('geminiRequestProblem accepts', () => {
  it.each([
    ['an empty body (the mock tests post one)', {}],
    ['plain text', userParts({ text: 'Hi' })],
    [
      'text, inline bytes and a file URI, with a system instruction',
      {
        systemInstruction: { role: 'system', parts: [{ text: 'Be brief.' }] },
        ...userParts(
          { text: 'Compare' },
          { inlineData: { mimeType: 'image/png', data: PNG } },
          { fileData: { mimeType: 'application/pdf', fileUri: 'https://example.com/a.pdf' } },
          { fileData: { mimeType: 'video/mp4', fileUri: 'gs://bucket/clip.mp4' } },
        ),
      },
    ],
    [
      'a tool-call history, with thought parts and signatures',
      {
        contents: [
          { role: 'user', parts: [{ text: 'Weather?' }] },
          {
            role: 'model',
            parts: [
              { text: 'thinking', thought: true, thoughtSignature: 'c2ln' },
              { functionCall: { name: 'weather', args: { city: 'Paris' } }, thoughtSignature: 'c2ln' },
            ],
          },
          { role: 'user', parts: [{ functionResponse: { name: 'weather', response: { result: 'sunny' } } }] },
        ],
      },
    ],
    [
      'JSON output with a JSON Schema, a seed and other generationConfig fields',
      {
        generationConfig: {
          responseMimeType: 'application/json',
          responseJsonSchema: { type: 'object', properties: { city: { type: 'string' } } },
          seed: 42,
          temperature: 0.2,
          thinkingConfig: { includeThoughts: true },
        },
      },
    ],
    ['JSON output without a schema', { generationConfig: { responseMimeType: 'application/json' } }],
    [
      'a named tool choice (ANY + allowedFunctionNames)',
      {
        tools: [weatherTool],
        toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['weather'] } },
      },
    ],
    [
      'mode NONE, and a built-in tool',
      { tools: [{ googleSearch: {} }], toolConfig: { functionCallingConfig: { mode: 'NONE' } } },
    ],
    ['unknown top-level fields (safetySettings, labels)', { safetySettings: [], labels: { team: 'a' } }],
  ])('%s', (_name, body) => {
    expect(geminiRequestProblem(body)).toBeUndefined();
  });
});

describe('geminiRequestProblem rejects what a sloppy mapper sends', () => {
  it.each([
    [
      'an OpenAI-style typed part',
      userParts({ type: 'text', text: 'Hi' }),
      'contents.0.parts.0: Unrecognized key: "type"',
    ],
    [
      'an OpenAI image_url part',
      userParts({ image_url: { url: 'https://example.com/a.png' } }),
      'contents.0.parts.0: Unrecognized key: "image_url"',
    ],
    [
      'a part with two data fields',
      userParts({ text: 'a', inlineData: { mimeType: 'image/png', data: PNG } }),
      'got text and inlineData',
    ],
    ['a part with no data field', userParts({ thought: true }), 'got none'],
    ['an empty parts list', userParts(), 'contents.0.parts: must not be empty'],
    [
      'a data URL as inline bytes',
      userParts({ inlineData: { mimeType: 'image/png', data: `data:image/png;base64,${PNG}` } }),
      'contents.0.parts.0.inlineData.data: expected base64 bytes',
    ],
    [
      'inline bytes without a media type',
      userParts({ inlineData: { data: PNG } }),
      'contents.0.parts.0.inlineData.mimeType:',
    ],
    [
      'Anthropic-style source nesting',
      userParts({ inlineData: { source: { type: 'base64', media_type: 'image/png', data: PNG } } }),
      'contents.0.parts.0.inlineData',
    ],
    [
      'a file URI without a media type',
      userParts({ fileData: { fileUri: 'https://example.com/a.png' } }),
      'contents.0.parts.0.fileData.mimeType:',
    ],
    [
      'a data URL as a file URI',
      userParts({ fileData: { mimeType: 'image/png', fileUri: `data:image/png;base64,${PNG}` } }),
      'contents.0.parts.0.fileData.fileUri:',
    ],
    [
      'a tool result that is not an object',
      userParts({ functionResponse: { name: 'weather', response: 'sunny' } }),
      'contents.0.parts.0.functionResponse.response: expected a JSON object',
    ],
    ['an unknown role', { contents: [{ role: 'assistant', parts: [{ text: 'Hi' }] }] }, 'contents.0.role:'],
    ['a system instruction as a string', { systemInstruction: 'Be brief.' }, 'systemInstruction:'],
    [
      'a schema without the JSON media type',
      { generationConfig: { responseJsonSchema: { type: 'object' } } },
      'generationConfig.responseMimeType: responseJsonSchema needs responseMimeType application/json',
    ],
    [
      'the whole responseFormat as the schema',
      { generationConfig: { responseMimeType: 'application/json', responseJsonSchema: { type: 'json', schema: {} } } },
      'generationConfig.responseJsonSchema.type: expected a JSON Schema type',
    ],
    [
      'both schema fields',
      {
        generationConfig: {
          responseMimeType: 'application/json',
          responseSchema: { type: 'OBJECT' },
          responseJsonSchema: { type: 'object' },
        },
      },
      'generationConfig.responseSchema: responseSchema and responseJsonSchema are exclusive',
    ],
    [
      'a media type that is not one',
      { generationConfig: { responseMimeType: 'json' } },
      'generationConfig.responseMimeType:',
    ],
    ['a fractional seed', { generationConfig: { seed: 1.5 } }, 'generationConfig.seed:'],
    ['the seed at the top', { seed: 7 }, 'seed: a generationConfig field, not a request field'],
    [
      'responseMimeType at the top',
      { responseMimeType: 'application/json' },
      'responseMimeType: a generationConfig field',
    ],
    [
      'toolConfig inside generationConfig',
      { generationConfig: { toolConfig: { functionCallingConfig: { mode: 'ANY' } } } },
      'generationConfig.toolConfig: a request field, not a generationConfig field',
    ],
    ["the SDK's config sent as it is", { config: { seed: 1 } }, 'config: '],
    ['the user field', { user: 'user-1' }, 'user: not a Gemini request field'],
    ['parallel_tool_calls', { parallel_tool_calls: false }, 'parallel_tool_calls: not a Gemini request field'],
    ['an OpenAI tool_choice', { tool_choice: 'required' }, 'tool_choice: not a Gemini request field'],
    [
      'an OpenAI-style tool',
      { tools: [{ type: 'function', function: { name: 'weather' } }] },
      'tools.0: Unrecognized keys: "type", "function"',
    ],
    ['an empty tool', { tools: [{}] }, 'tools.0: expected a tool'],
    [
      'a function name with a space',
      { tools: [{ functionDeclarations: [{ name: 'get weather' }] }] },
      'tools.0.functionDeclarations.0.name:',
    ],
    [
      'both parameter schemas',
      { tools: [{ functionDeclarations: [{ name: 'f', parameters: {}, parametersJsonSchema: {} }] }] },
      'tools.0.functionDeclarations.0.parametersJsonSchema: parameters and parametersJsonSchema are exclusive',
    ],
    [
      'a lower-case mode',
      { toolConfig: { functionCallingConfig: { mode: 'auto' } } },
      'toolConfig.functionCallingConfig.mode:',
    ],
    [
      'an OpenAI mode name',
      { toolConfig: { functionCallingConfig: { mode: 'REQUIRED' } } },
      'toolConfig.functionCallingConfig.mode:',
    ],
    ['mode without functionCallingConfig', { toolConfig: { mode: 'ANY' } }, 'toolConfig: Unrecognized key: "mode"'],
    [
      'allowedFunctionNames with mode AUTO',
      {
        tools: [weatherTool],
        toolConfig: { functionCallingConfig: { mode: 'AUTO', allowedFunctionNames: ['weather'] } },
      },
      'toolConfig.functionCallingConfig.allowedFunctionNames: allowedFunctionNames needs mode ANY',
    ],
    [
      'a named tool that is not declared',
      { tools: [weatherTool], toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['clock'] } } },
      'toolConfig.functionCallingConfig.allowedFunctionNames.0: "clock" is not a declared function',
    ],
    ['a body that is not an object', 'Hi', '(body):'],
  ])('%s', (_name, body, expected) => {
    expect(geminiRequestProblem(body)).toContain(expected);
  });

  it('names the path of the first problem only, and never quotes part data', () => {
    const problem = geminiRequestProblem(
      userParts({ text: 'fine' }, { inlineData: { mimeType: 'image/png', data: `data:image/png;base64,${PNG}` } }),
    );
    expect(problem).toMatch(/^contents\.0\.parts\.1\.inlineData\.data: /);
    expect(problem).not.toContain(PNG);
  });
});
