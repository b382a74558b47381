import type { AgentContext } from '../../app/context.js';
import { toCompletionRequest } from '../../generation/chat-request.js';
import { HttpError } from '../../http/errors.js';
import type { Route } from '../../http/router.js';
import { serveSse, streamSettings } from '../../transports/sse.js';
import { serveLocally } from '../chat.js';
import { approvalSigner } from './approval-signature.js';
import { uiChunkEncoder, uiStreamTrailer } from './chunk-encoding.js';
import { uiChatParser } from './request.js';

/** Where `DefaultChatTransport` posts by default, so `useChat()` on a page the agent serves needs no `api`. */
export const UI_CHAT_PATH = '/api/chat';

const uiStreamHeaders = { 'x-vercel-ai-ui-message-stream': 'v1' };

const CHAT_ID = /^[\w.:-]{1,256}$/;

/**
 * The AI SDK's chat protocol, so `useChat` (and any `DefaultChatTransport`) works against the agent unchanged:
 * `POST /api/chat` takes `{id, messages, trigger, messageId}` (UI messages with parts; `provider`, `model`,
 * `temperature`, `maxTokens` through the transport's `body`) and answers the UI message stream (SSE of
 * `uiMessageChunk`s, `x-vercel-ai-ui-message-stream: v1`, `data: [DONE]` last), with the agent's server tools. A
 * call that needs approval ends the reply with a signed `tool-approval-request`; the request that answers it
 * (`addToolApprovalResponse`, then a send) runs or denies the call and streams the rest onto the same message.
 * With `RESUMABLE_STREAMS=true`, `GET /api/chat/:chatId/stream` replays the chat's newest stream from its first
 * chunk and follows it live (the transport's resume, `resumeStreamIsReplay`); 204 when there is none.
 *
 * @example
 * ```ts
 * // const { messages, sendMessage } = useChat({ transport: new DefaultChatTransport({ api: 'http://localhost:8080/api/chat' }) });
 * ```
 */
export function uiChatRoutes(context: AgentContext): Route[] {
  const { config, logger } = context;
  const settings = streamSettings(config);
  const signer = approvalSigner(config.toolApprovalSecret);
  const parse = uiChatParser(config, signer);
  return [
    {
      path: UI_CHAT_PATH,
      // The rate limit and the body (readJsonBody) come before the handler: the router runs them.
      rateLimited: true,
      methods: {
        POST: async (request, reply) => {
          const body = parse(request.body);
          const choice = context.catalog.choose(body);
          const { continuation } = body;
          const { streamId, events: generation } = context.newGeneration(
            choice,
            toCompletionRequest(body, choice.model),
            {
              logFields: { route: UI_CHAT_PATH },
              serverTools: true,
              endAtApprovals: true,
              cacheControl: request.headers['cache-control'],
              caller: context.keys.identify(request.headers),
              ...(continuation ? { continuation } : {}),
            },
          );
          const messageId = continuation?.messageId ?? `msg_${streamId}`;
          const run = await context.startRun(streamId, generation);
          if (run && body.chatId !== undefined && CHAT_ID.test(body.chatId)) {
            // Without the pointer the chat cannot be resumed, but the answer still streams.
            await context.shared.chatStreams
              .set(body.chatId, { streamId, messageId })
              .catch((error: unknown) =>
                logger.warn({ err: error, streamId }, 'Chat stream not recorded for resuming'),
              );
          }
          reply.hijack();
          const session = serveSse({
            response: reply.raw,
            events: run ? run.live : generation,
            streamId,
            ...settings,
            encode: uiChunkEncoder({ messageId, signer, ...(continuation ? { replayedStep: 1 } : {}) }),
            trailer: uiStreamTrailer,
            headers: uiStreamHeaders,
            logged: run !== undefined,
          });
          if (!run) serveLocally(context, streamId, session);
        },
      },
    },
    {
      path: `${UI_CHAT_PATH}/:chatId/stream`,
      methods: {
        GET: async (request, reply) => {
          const { chatId } = request.params as { chatId: string };
          if (!CHAT_ID.test(chatId)) {
            throw new HttpError({
              kind: 'invalid-request',
              message: 'chatId: must be 1 to 256 letters, digits, _ . : or -',
            });
          }
          const { generations } = context;
          const stream = generations ? await context.shared.chatStreams.get(chatId) : undefined;
          if (!generations || !stream || !(await context.shared.store.exists(stream.streamId))) {
            // Nothing to resume: the AI SDK's transport reads 204 as "no active stream".
            return reply.code(204).send();
          }
          const { streamId } = stream;
          logger.info({ streamId, chatId }, 'Client resumes a UI chat stream');
          const follower = generations.follow(streamId, 0);
          reply.hijack();
          const session = serveSse({
            response: reply.raw,
            events: follower.events,
            streamId,
            ...settings,
            // A replay rebuilds the message from nothing: the replayed calls of a continuation are shown too.
            encode: uiChunkEncoder({ messageId: stream.messageId, signer }),
            trailer: uiStreamTrailer,
            headers: uiStreamHeaders,
            replay: true,
            logged: true,
          });
          context.track({ finished: session.finished, abort: (error) => follower.stop(error) });
        },
      },
    },
  ];
}
