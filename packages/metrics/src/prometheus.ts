export type { PrometheusSinkOptions } from './prometheus-sink.js';
export { prometheusSink } from './prometheus-sink.js';
