import { auditContract } from '../platform/audit/contract.js';
import { handoffsContract } from './handoffs/contract.js';
import { reportsContract } from './reports/contract.js';
import { staffContract } from './accounts/contract.js';

/** Every method of the staff part (accounts, audit, hand-offs, reports), for api/contract.ts. */
export const staffPartContract = { ...staffContract, ...auditContract, ...handoffsContract, ...reportsContract };
