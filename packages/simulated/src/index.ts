export { cannedObject } from './sample-object.js';
export type { SimulatedEvent, SimulatedProviderOptions } from './simulated-provider.js';
export { cannedReply, simulatedProvider, simulatedProviderDefinition } from './simulated-provider.js';
export type { Chunking } from './split-text.js';
export { splitText } from './split-text.js';
