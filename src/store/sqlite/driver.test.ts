import { storeConformance } from '../conformance.js';
import { sqliteDatabase } from '../../testing/databases.js';

storeConformance({ name: 'sqlite', skip: undefined, create: async () => sqliteDatabase() });
