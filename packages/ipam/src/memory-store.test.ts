import { MemoryStore } from './memory-store.js';
import { ipamStoreConformance } from './testing/conformance.js';

ipamStoreConformance('memory', async () => ({ store: new MemoryStore(), close: async () => {} }));
