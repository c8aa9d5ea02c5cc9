import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useHelpWaiting } from '../../components/HelpButton';
import type { ScreenProps } from '../../navigation';

/** The ticket: number, masked IIN, the time of check-in, where to go; returns to the start on its own after `ticketMs`. */
export function TicketScreen({ route, reset, settings }: ScreenProps<'ticket'>) {
  const ticketMs = settings.ui.ticketMs;
  const { t, i18n } = useTranslation('checkin');
  // The clinic's own words (ui.ticketMessage) in this language, else the neutral default.
  const lang = (i18n.resolvedLanguage ?? i18n.language) as keyof typeof settings.ui.ticketMessage;
  const whereToGo = settings.ui.ticketMessage[lang] ?? t('ticket.whereToGo');
  // The moment the visit was queued (this screen follows it at once), in the kiosk's clock and the patient's language.
  const [checkedInAt] = useState(() => new Date());
  const time = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    checkedInAt,
  );
  // While the patient waits for staff ("I need help"), the ticket stays on screen.
  const helpWaiting = useHelpWaiting();
  useEffect(() => {
    if (helpWaiting) return undefined;
    const timer = setTimeout(reset, ticketMs);
    return () => clearTimeout(timer);
  }, [reset, ticketMs, helpWaiting]);
  return (
    <section className="screen ticket" aria-labelledby="ticket-title">
      <h1 id="ticket-title">{t('ticket.title')}</h1>
      <p className="ticket-label">{t('ticket.number')}</p>
      <p className="ticket-number" aria-label={t('ticket.numberIs', { ticket: route.ticket })}>
        {route.ticket}
      </p>
      <p className="who">{t('common:checkingIn', { masked: route.maskedIin })}</p>
      <p className="checked-in-at">{t('ticket.checkedInAt', { time })}</p>
      <p className="lead">{whereToGo}</p>
      <button type="button" className="button primary" onClick={reset} autoFocus>
        {t('ticket.done')}
      </button>
    </section>
  );
}
