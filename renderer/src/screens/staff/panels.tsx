import type { ComponentType } from 'react';
import { AccountsPanel } from './AccountsPanel';
import { AuditPanel } from './AuditPanel';
import { HandoffsPanel } from './HandoffsPanel';
import { ReportPanel } from './ReportPanel';
import { TodayPanel } from './TodayPanel';
import { ItPanel } from '../it/ItPanel';
import type { StaffRole } from './types';

export interface StaffPanel {
  id: string;
  /** i18n key of the tab's label (any namespace, e.g. `it:tab`). */
  label: string;
  roles: readonly StaffRole[];
  Component: ComponentType;
}

/**
 * The staff console's tabs, shown by role after login. The core router checks the same roles on
 * every call, so a tab here is convenience, not protection. Other areas (the IT screen) add one
 * line here with their roles.
 */
export const staffPanels: StaffPanel[] = [
  { id: 'handoffs', label: 'staff:tabs.handoffs', roles: ['reception'], Component: HandoffsPanel },
  { id: 'today', label: 'staff:tabs.today', roles: ['reception'], Component: TodayPanel },
  { id: 'accounts', label: 'staff:tabs.accounts', roles: ['admin'], Component: AccountsPanel },
  { id: 'report', label: 'staff:tabs.report', roles: ['admin'], Component: ReportPanel },
  { id: 'audit', label: 'staff:tabs.audit', roles: ['admin'], Component: AuditPanel },
  { id: 'it', label: 'it:tab', roles: ['it', 'admin'], Component: ItPanel },
];
