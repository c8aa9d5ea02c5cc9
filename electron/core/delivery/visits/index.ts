export {
  envelopeSchema,
  presenceEvidenceSchema,
  visitMethods,
  type VisitEnvelope,
  type VisitMethod,
} from '../../../shared/protocol/envelope.js';
export {
  createVisitQueue,
  VisitNotStoredError,
  envelopeFieldsSchema,
  type EnvelopeFields,
  type QueuedVisit,
  type VisitQueue,
} from './queue.js';
export { migrateOutbox, outboxMigrations } from './outbox-schema.js';
