import { z } from 'zod';

// The Gemini `generateContent` / `streamGenerateContent` request body (Gemini API and Vertex AI), as both Google SDKs
// send it: camelCase field names (the REST API also takes the proto's snake_case names; neither SDK sends them).
// Strict where a mapper makes mistakes (parts, generationConfig's output fields, tools, toolConfig), loose elsewhere.

const jsonObject = z.record(z.string(), z.unknown());
const mediaType = z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, 'expected a media type such as image/png');
// Proto `bytes` in JSON: base64, standard or URL-safe alphabet; never a `data:` URL.
const base64 = z
  .string()
  .min(1, 'expected base64 bytes')
  .regex(/^[A-Za-z0-9+/_-]+={0,2}$/, 'expected base64 bytes (no data: prefix, no whitespace)');
const fileUri = z
  .string()
  .regex(/^(https?|gs):\/\/\S+$/i, 'expected an https:, http: or gs: URI (inline bytes go in inlineData)');

const inlineData = z.strictObject({ mimeType: mediaType, data: base64, displayName: z.string().optional() });
const fileData = z.strictObject({ mimeType: mediaType, fileUri, displayName: z.string().optional() });
const functionCall = z.strictObject({
  name: z.string().min(1),
  args: jsonObject.optional(),
  id: z.string().optional(),
  partialArgs: z.array(jsonObject).optional(),
  willContinue: z.boolean().optional(),
});
const functionResponse = z.strictObject({
  name: z.string().min(1),
  response: z.record(z.string(), z.unknown(), { error: 'expected a JSON object (wrap other results)' }),
  id: z.string().optional(),
  parts: z.array(jsonObject).optional(),
  willContinue: z.boolean().optional(),
  scheduling: z.string().optional(),
});

/** The `Part.data` oneof: a part holds exactly one of these. */
const PART_DATA_FIELDS = [
  'text',
  'inlineData',
  'fileData',
  'functionCall',
  'functionResponse',
  'executableCode',
  'codeExecutionResult',
  'toolCall',
  'toolResponse',
] as const;

const part = z
  .strictObject({
    text: z.string().optional(),
    inlineData: inlineData.optional(),
    fileData: fileData.optional(),
    functionCall: functionCall.optional(),
    functionResponse: functionResponse.optional(),
    executableCode: jsonObject.optional(),
    codeExecutionResult: jsonObject.optional(),
    toolCall: jsonObject.optional(),
    toolResponse: jsonObject.optional(),
    thought: z.boolean().optional(),
    thoughtSignature: z.string().optional(),
    videoMetadata: jsonObject.optional(),
    partMetadata: jsonObject.optional(),
    mediaResolution: jsonObject.optional(),
  })
  .superRefine((value, context) => {
    const present = PART_DATA_FIELDS.filter((field) => value[field] !== undefined);
    if (present.length === 1) return;
    context.addIssue({
      code: 'custom',
      message: `expected exactly one of ${PART_DATA_FIELDS.join(', ')}; got ${present.length === 0 ? 'none' : present.join(' and ')}`,
    });
  });

const parts = z.array(part).min(1, 'must not be empty');
const content = z.strictObject({ role: z.enum(['user', 'model', 'function']).optional(), parts });
const systemInstruction = z.strictObject({ role: z.string().optional(), parts });

const jsonSchemaType = z.enum(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
/** A JSON Schema (lower-case `type`s; the OpenAPI-subset `OBJECT` belongs in `responseSchema`). */
const jsonSchema = z.looseObject({
  type: z
    .union([jsonSchemaType, z.array(jsonSchemaType)], { error: 'expected a JSON Schema type (object, string …)' })
    .optional(),
});

/** A field of the request itself, wrongly nested in `generationConfig` (a flat SDK config sent as it is). */
const requestField = z.never({ error: 'a request field, not a generationConfig field' }).optional();

const generationConfig = z
  .looseObject({
    responseMimeType: z.enum(['text/plain', 'application/json', 'text/x.enum']).optional(),
    responseJsonSchema: jsonSchema.optional(),
    responseSchema: jsonObject.optional(),
    seed: z.number().int().optional(),
    tools: requestField,
    toolConfig: requestField,
    systemInstruction: requestField,
    safetySettings: requestField,
    responseFormat: z.never({ error: 'not a Gemini field (responseMimeType + responseJsonSchema)' }).optional(),
  })
  .superRefine((value, context) => {
    if (value.responseJsonSchema !== undefined && value.responseSchema !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['responseSchema'],
        message: 'responseSchema and responseJsonSchema are exclusive',
      });
    }
    const schema =
      value.responseJsonSchema !== undefined
        ? 'responseJsonSchema'
        : value.responseSchema !== undefined
          ? 'responseSchema'
          : undefined;
    if (schema && value.responseMimeType !== 'application/json' && value.responseMimeType !== 'text/x.enum') {
      context.addIssue({
        code: 'custom',
        path: ['responseMimeType'],
        message: `${schema} needs responseMimeType application/json`,
      });
    }
  });

const functionDeclaration = z
  .strictObject({
    name: z
      .string()
      .max(128)
      .regex(/^[A-Za-z_][A-Za-z0-9_.:-]*$/, 'expected a function name of letters, digits, _ . : -'),
    description: z.string().optional(),
    parameters: jsonObject.optional(),
    parametersJsonSchema: z.unknown().optional(),
    response: jsonObject.optional(),
    responseJsonSchema: z.unknown().optional(),
    behavior: z.enum(['UNSPECIFIED', 'BLOCKING', 'NON_BLOCKING']).optional(),
  })
  .refine((value) => value.parameters === undefined || value.parametersJsonSchema === undefined, {
    message: 'parameters and parametersJsonSchema are exclusive',
    path: ['parametersJsonSchema'],
  });

const builtInTool = jsonObject.optional();
const tool = z
  .strictObject({
    functionDeclarations: z.array(functionDeclaration).optional(),
    mcpServers: z.array(jsonObject).optional(),
    googleSearch: builtInTool,
    googleSearchRetrieval: builtInTool,
    codeExecution: builtInTool,
    urlContext: builtInTool,
    fileSearch: builtInTool,
    googleMaps: builtInTool,
    computerUse: builtInTool,
    retrieval: builtInTool,
    enterpriseWebSearch: builtInTool,
    exaAiSearch: builtInTool,
    parallelAiSearch: builtInTool,
  })
  .refine((value) => Object.keys(value).length > 0, {
    message: 'expected a tool (functionDeclarations, googleSearch …)',
  });

const functionCallingConfig = z
  .strictObject({
    mode: z.enum(['MODE_UNSPECIFIED', 'AUTO', 'ANY', 'NONE', 'VALIDATED']).optional(),
    allowedFunctionNames: z.array(z.string().min(1)).min(1).optional(),
    streamFunctionCallArguments: z.boolean().optional(),
  })
  .refine((value) => value.allowedFunctionNames === undefined || value.mode === 'ANY' || value.mode === 'VALIDATED', {
    message: 'allowedFunctionNames needs mode ANY (or VALIDATED)',
    path: ['allowedFunctionNames'],
  });

const toolConfig = z.strictObject({
  functionCallingConfig: functionCallingConfig.optional(),
  retrievalConfig: jsonObject.optional(),
  includeServerSideToolInvocations: z.boolean().optional(),
});

/** A field of `generationConfig` (or of the SDK's flat `config`) sent at the top of the request. */
const generationField = z.never({ error: 'a generationConfig field, not a request field' }).optional();
/** A field of another vendor's API, or one Gemini has no equivalent for. */
const foreignField = z.never({ error: 'not a Gemini request field' }).optional();

const requestBody = z.looseObject({
  contents: z.array(content).optional(),
  systemInstruction: systemInstruction.optional(),
  generationConfig: generationConfig.optional(),
  tools: z.array(tool).optional(),
  toolConfig: toolConfig.optional(),
  config: z.never({ error: "the SDK's config is not a wire field (generationConfig, toolConfig)" }).optional(),
  responseMimeType: generationField,
  responseJsonSchema: generationField,
  responseSchema: generationField,
  seed: generationField,
  temperature: generationField,
  maxOutputTokens: generationField,
  messages: foreignField,
  response_format: foreignField,
  responseFormat: foreignField,
  tool_choice: foreignField,
  toolChoice: foreignField,
  parallel_tool_calls: foreignField,
  parallelToolCalls: foreignField,
  user: foreignField,
});

type RequestBody = z.infer<typeof requestBody>;

/** `allowedFunctionNames` that no `functionDeclarations` entry declares (checked only when functions are declared). */
function undeclaredFunctionProblem(body: RequestBody): string | undefined {
  const allowed = body.toolConfig?.functionCallingConfig?.allowedFunctionNames ?? [];
  const declared = new Set(
    (body.tools ?? []).flatMap((entry) => (entry.functionDeclarations ?? []).map((declaration) => declaration.name)),
  );
  if (declared.size === 0) return undefined;
  const index = allowed.findIndex((name) => !declared.has(name));
  if (index < 0) return undefined;
  return `toolConfig.functionCallingConfig.allowedFunctionNames.${index}: "${allowed[index]}" is not a declared function`;
}

/**
 * What is wrong with a Gemini request body, as `path: problem` (e.g. `contents.0.parts.1.inlineData.mimeType:
 * expected a media type such as image/png`), or `undefined` for a body of the exact shape. Checks strictly the parts
 * of `contents` and `systemInstruction` (exactly one of `text` / `inlineData` / `fileData` / `functionCall` /
 * `functionResponse` …, each with its own fields), `generationConfig`'s `responseMimeType` / `responseJsonSchema` /
 * `responseSchema` / `seed`, `tools` and `toolConfig`; any other field passes.
 *
 * @example
 * ```ts
 * geminiRequestProblem({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] }); // undefined
 * geminiRequestProblem({ contents: [{ role: 'user', parts: [{ type: 'text', text: 'Hi' }] }] });
 * // 'contents.0.parts.0: Unrecognized key: "type"'
 * ```
 */
export function geminiRequestProblem(body: unknown): string | undefined {
  const result = requestBody.safeParse(body);
  if (!result.success) {
    const [issue] = result.error.issues;
    const path = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(body)';
    return `${path}: ${issue?.message ?? 'invalid request'}`;
  }
  return undeclaredFunctionProblem(result.data);
}
