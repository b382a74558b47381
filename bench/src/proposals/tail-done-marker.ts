/**
 * A PROPOSAL, measured by the bench, not shipped: the `[DONE]` watcher of `@rxllm/openai` (`watchDoneMarker`)
 * without its per-byte JavaScript loop. `@rxllm/openai` visits every byte of the body (`for (const byte of bytes)`,
 * pushing into an array) and decodes a string per line. OpenAI ends a stream with `data: [DONE]` and sends nothing
 * after it, so it is enough to keep the last 64 bytes of the body and test them once, at the end: O(1) per read.
 * Trade-off, to be decided by the provider's owner: a server that writes anything but blank lines after `[DONE]`
 * would be reported as truncated.
 *
 * @example
 * ```ts
 * const watch = watchDoneMarkerTail(response.body);
 * for await (const event of Stream.fromSSEResponse(new Response(watch.body, response), controller)) handle(event);
 * if (!watch.sawDone()) throw truncatedStreamError('openai', 'data: [DONE]');
 * ```
 */
const KEEP = 64;
const doneAtEnd = /(?:^|[\r\n])data: ?\[DONE\][\r\n]*$/;

export function watchDoneMarkerTail(body: ReadableStream<Uint8Array>): {
  body: ReadableStream<Uint8Array>;
  sawDone(): boolean;
} {
  let tail = Buffer.alloc(0);
  const transform = new TransformStream<Uint8Array, Uint8Array>({
    transform(bytes, controller) {
      tail =
        bytes.byteLength >= KEEP
          ? Buffer.from(bytes.subarray(bytes.byteLength - KEEP))
          : Buffer.concat([tail, bytes]).subarray(-KEEP);
      controller.enqueue(bytes);
    },
  });
  return { body: body.pipeThrough(transform), sawDone: () => doneAtEnd.test(tail.toString('latin1')) };
}

/**
 * The same tail check, and no `TransformStream`: a pull-based `ReadableStream` that reads the original body one read
 * at a time. `pipeThrough` adds two queues and a promise chain per read; this adds one `read()` per read.
 */
export function watchDoneMarkerTailPull(body: ReadableStream<Uint8Array>): {
  body: ReadableStream<Uint8Array>;
  sawDone(): boolean;
} {
  let tail = Buffer.alloc(0);
  const reader = body.getReader();
  const watched = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          return;
        }
        tail =
          value.byteLength >= KEEP
            ? Buffer.from(value.subarray(value.byteLength - KEEP))
            : Buffer.concat([tail, value]).subarray(-KEEP);
        controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  return { body: watched, sawDone: () => doneAtEnd.test(tail.toString('latin1')) };
}
