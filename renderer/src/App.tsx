import { useCallback, useEffect, useMemo, useRef, useState, type ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorBoundary } from './components/ErrorBoundary';
import { HelpButton, HelpWaitingContext } from './components/HelpButton';
import { MuteButton, useVoice, VoiceProvider } from './components/VoiceGuide';
import { IdleGuard } from './components/IdleGuard';
import { LanguageBar } from './components/LanguageBar';
import type { KioskInfo } from './core-types';
import { call } from './kiosk';
import { useCoreData } from './use-core-data';
import { screenDefaults } from '../../electron/shared/vocabulary/screen-defaults';
import type { Route, ScreenName, ScreenProps, ScreenSettings } from './navigation';
import { AttractScreen } from './screens/attract/AttractScreen';
import { CameraScreen } from './screens/camera/CameraScreen';
import { ConsentScreen } from './screens/consent/ConsentScreen';
import { DeclineScreen } from './screens/decline/DeclineScreen';
import { IdentifyScreen } from './screens/identify/IdentifyScreen';
import { TicketScreen } from './screens/ticket/TicketScreen';
import { StaffEntry } from './screens/staff/StaffEntry';
import { StaffScreen } from './screens/staff/StaffScreen';
import { NotReadyScreen } from './screens/setup/NotReadyScreen';

/** Until core answers `system.info` (a moment at start), the embedded defaults apply. */
const defaults: ScreenSettings = screenDefaults;

/**
 * THE ONE LIST OF SCREENS. To add a screen (IT, or any other): declare its params in
 * navigation.ts's ScreenParams (by module augmentation from your own folder) and add ONE line
 * here; decline and staff were added this way.
 */
const screens: { [K in ScreenName]: ComponentType<ScreenProps<K>> } = {
  attract: AttractScreen,
  identify: IdentifyScreen,
  consent: ConsentScreen,
  camera: CameraScreen,
  ticket: TicketScreen,
  staff: StaffScreen,
  decline: DeclineScreen,
};

/** Screens where nobody's data is shown, so there is nothing for the inactivity timer to clear. */
const restingScreens: ReadonlySet<ScreenName> = new Set<ScreenName>(['attract', 'staff']);

/** Spoken when each patient screen opens: its title and main action (locales/<lang>/voice.json). */
const screenVoice: Partial<Record<ScreenName, string>> = {
  attract: 'voice.attract',
  identify: 'voice.identify',
  consent: 'voice.consent',
  camera: 'voice.camera',
  decline: 'voice.decline',
  ticket: 'voice.ticket',
};

const fetchInfo = () => call('system.info', {});

export function App({ initialLanguage }: { initialLanguage?: string }) {
  // Asked again when core says the keys changed (provisioning makes the kiosk ready). A failed
  // answer changes nothing: the last one (or the embedded defaults) stays.
  const { data: info, reload: reloadInfo } = useCoreData(fetchInfo);
  useEffect(() => {
    if (typeof window.kiosk?.onEvent !== 'function') return undefined;
    return window.kiosk.onEvent((event) => {
      if (event.topic === 'keys.changed') reloadInfo();
    });
  }, [reloadInfo]);
  const settings = useMemo<ScreenSettings>(
    () => (info ? { ui: info.ui, languages: info.languages, presence: info.presence } : defaults),
    [info],
  );
  return (
    <VoiceProvider enabled={settings.ui.voice === 'on'} volume={settings.ui.voiceVolume}>
      <Kiosk initialLanguage={initialLanguage} info={info} settings={settings} />
    </VoiceProvider>
  );
}

function Kiosk({
  initialLanguage,
  info,
  settings,
}: {
  initialLanguage?: string;
  /** Core's last `system.info` answer; null until the first. */
  info: KioskInfo | null;
  settings: ScreenSettings;
}) {
  const { t, i18n } = useTranslation();
  const voice = useVoice();
  const [route, setRoute] = useState<Route>({ screen: 'attract' });
  const [helpWaiting, setHelpWaiting] = useState(false);
  // Changing the key remounts the screen: every bit of its state (typed digits, frames) is gone.
  const [generation, setGeneration] = useState(0);
  const sessionRef = useRef<string | undefined>(undefined);
  const homeLanguage = useRef(initialLanguage ?? 'kk');
  // False while the kiosk cannot seal a visit (not provisioned): patients are sent to reception.
  const ready = info?.ready ?? true;
  // Each answer from core sets the kiosk's home language (unless the URL chose one).
  useEffect(() => {
    const home = info?.languages[0];
    if (initialLanguage || !home) return;
    homeLanguage.current = home;
    void i18n.changeLanguage(home);
  }, [i18n, initialLanguage, info]);

  const go = useCallback((next: Route) => {
    if ('session' in next) sessionRef.current = next.session;
    setRoute(next);
  }, []);
  // The generation now, read synchronously: a screen's late answer (a decline verdict arriving up to
  // 4 s after "Start over") must not navigate the next patient's screen (issue 17 item 9).
  const generationRef = useRef(0);
  const screenGo = useMemo(() => {
    const mine = generation;
    return (next: Route) => {
      if (generationRef.current === mine) go(next);
    };
  }, [generation, go]);

  const reset = useCallback(() => {
    const session = sessionRef.current;
    sessionRef.current = undefined;
    void call('checkin.cancel', session ? { session } : {}).catch(() => undefined);
    generationRef.current += 1;
    setRoute({ screen: 'attract' });
    setGeneration(generationRef.current);
    voice.reset();
    void i18n.changeLanguage(homeLanguage.current);
  }, [i18n, voice]);

  // Each screen's title and main action are spoken as it opens, cutting off what the previous
  // screen was still saying (the patient has moved on).
  const { interrupt, speak } = voice;
  useEffect(() => {
    interrupt();
    const key = screenVoice[route.screen];
    if (key) speak(key);
  }, [route.screen, interrupt, speak]);

  const Screen = screens[route.screen] as ComponentType<ScreenProps<ScreenName>>;

  return (
    <div className="app">
      <StaffEntry inStaffMode={route.screen === 'staff'} go={go} />
      <header className="top-bar">
        <LanguageBar offered={settings.languages} />
        <div className="top-actions">
          <MuteButton />
          {route.screen !== 'staff' && (
            <HelpButton
              key={generation}
              screen={route.screen}
              session={'session' in route ? route.session : undefined}
              onHandled={reset}
              onWaiting={setHelpWaiting}
            />
          )}
        </div>
      </header>
      <HelpWaitingContext.Provider value={helpWaiting}>
        <main className="content" key={generation}>
          <ErrorBoundary
            onRestart={reset}
            fallback={(restart) => (
              <section className="screen" aria-labelledby="failed-title">
                <h1 id="failed-title">{t('common:errorTitle')}</h1>
                <p className="lead">{t('common:errorTryAgain')}</p>
                <button type="button" className="button primary" onClick={restart}>
                  {t('common:startOver')}
                </button>
              </section>
            )}
          >
            {ready || route.screen === 'staff' ? (
              <Screen route={route} go={screenGo} reset={reset} settings={settings} />
            ) : (
              <NotReadyScreen />
            )}
          </ErrorBoundary>
        </main>
      </HelpWaitingContext.Provider>
      {!restingScreens.has(route.screen) && (
        <IdleGuard
          key={`${generation}-${route.screen}`}
          inactivityMs={settings.ui.inactivityMs}
          warningMs={settings.ui.warningMs}
          onTimeout={reset}
        />
      )}
    </div>
  );
}
