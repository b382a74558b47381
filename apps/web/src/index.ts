import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the built page's directory (`dist/public`), for a server to serve from.
 *
 * @example
 * ```ts
 * import { join } from 'node:path';
 * import { webFiles, webRoot } from '@rxllm/web';
 * // GET /assets/app.js → join(webRoot, 'app.js'); GET / → join(webRoot, 'index.html')
 * ```
 */
export const webRoot: string = fileURLToPath(new URL('./public', import.meta.url));

/**
 * The files in {@link webRoot}: the only names a server should serve (no path from a request reaches the disk).
 *
 * @example
 * ```ts
 * if (webFiles.includes(name)) response.end(await readFile(join(webRoot, name)));
 * ```
 */
export const webFiles: readonly ['index.html', 'app.js', 'app.css'] = ['index.html', 'app.js', 'app.css'] as const;
