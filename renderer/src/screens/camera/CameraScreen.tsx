import { useEffect, useEffectEvent, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FrameSummary } from '../../core-types';
import { ProgressRing } from '../../components/ProgressRing';
import { useSpoken } from '../../components/VoiceGuide';
import { call } from '../../kiosk';
import type { ScreenProps } from '../../navigation';
import type { CameraProblem } from '../../core-types';
import { openCamera, reportCamera, stopCamera } from './capture';
import { startFrameLoop } from './frame-loop';
import { StartOverButton } from '../../components/StartOverButton';

type Status =
  | { kind: 'starting' }
  | { kind: 'live' }
  | { kind: 'finishing' }
  | { kind: 'retry'; attemptsLeft: number; reason: string; pressed?: boolean }
  | { kind: 'error' };

/** Presence keys look like `presence.moveCloser`; the `presence` namespace holds their words. */
const presenceKey = (key: string) => `presence:${key.replace(/^presence\./, '')}`;

/**
 * The camera: live preview with the face box, one instruction, a progress ring. Frames go to
 * core one at a time (never queued); core's presence policy decides, so the screen cannot pass
 * anyone by itself. Any camera problem leads to the decline path, never to a blank screen.
 */
export function CameraScreen({ route, go, reset, settings }: ScreenProps<'camera'>) {
  const { t } = useTranslation('checkin');
  const { session, maskedIin } = route;
  const videoRef = useRef<HTMLVideoElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [summary, setSummary] = useState<FrameSummary | null>(null);
  const [status, setStatus] = useState<Status>({ kind: 'starting' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    // `stopped` ends the frame loop; `gone` means the screen was left (then nothing navigates).
    let stopped = false;
    let gone = false;
    let stream: MediaStream | null = null;
    let stopLoop: (() => void) | undefined;

    const leave = async (problem: CameraProblem) => {
      if (stopped) return;
      stopped = true;
      stopLoop?.();
      stopCamera(stream);
      try {
        await call('checkin.cameraProblem', { session, reason: problem });
      } catch {
        // The decline path still works; core forgets the session on its own.
      }
      go({ screen: 'decline', session, maskedIin, reason: problem });
    };

    const finish = async () => {
      // The preview stays live while the visit is sealed (a frozen or black picture looks broken).
      setStatus({ kind: 'finishing' });
      try {
        const done = await call('checkin.finish', { session });
        if (!gone) go({ screen: 'ticket', ticket: done.ticket, maskedIin: done.maskedIin });
      } catch {
        // The check passed but the visit could not be made (engine or store failure): the decline
        // path and reception take over; core has recorded why.
        if (!gone) go({ screen: 'decline', session, maskedIin, reason: 'engine' });
      }
    };

    // One answer of the frame loop (frame-loop.ts); false ends the loop.
    const onAnswer = (answer: FrameSummary): boolean => {
      if (stopped) return false;
      setSummary(answer);
      if (answer.phase === 'passed') {
        stopped = true;
        void finish();
        return false;
      }
      if (answer.next === 'decline') {
        stopped = true;
        stopCamera(stream);
        go({ screen: 'decline', session, maskedIin, reason: 'attempts' });
        return false;
      }
      if (answer.next === 'retry') {
        stopped = true;
        stopCamera(stream);
        // What went wrong stays on screen with the failed try (it is also what was just spoken).
        setStatus({ kind: 'retry', attemptsLeft: answer.attemptsLeft, reason: answer.instruction });
        return false;
      }
      return true;
    };

    void (async () => {
      const opened = await openCamera();
      if ('problem' in opened) return void leave(opened.problem);
      stream = opened.stream;
      if (stopped) return stopCamera(stream);
      // Core decides whether this camera may be used (virtual cameras are refused) before any frame.
      const camera = await reportCamera(session, stream);
      if (stopped) return stopCamera(stream);
      if (camera === 'refused') {
        stopped = true;
        stopCamera(stream);
        return go({ screen: 'decline', session, maskedIin, reason: 'camera-refused' });
      }
      if (camera === 'failed') return void leave('camera-failed');
      for (const track of stream.getVideoTracks())
        track.addEventListener('ended', () => void leave('camera-unplugged'));
      const video = videoRef.current;
      const canvas = canvasRef.current;
      if (video) {
        video.srcObject = stream;
        await video.play().catch(() => undefined);
      }
      if (stopped || !video || !canvas) return;
      setStatus({ kind: 'live' });
      stopLoop = startFrameLoop({ session, video, canvas, onAnswer, onBroken: () => void leave('camera-failed') });
    })();

    const videoElement = videoRef.current;
    return () => {
      stopped = true;
      gone = true;
      stopLoop?.();
      stopCamera(stream);
      if (videoElement) videoElement.srcObject = null;
    };
  }, [session, maskedIin, go, attempt]);

  async function retry() {
    // A second tap (or a double tap) must not ask core for a second try; the button stays where it is,
    // disabled, so that the tap does not land on the button that would slide into its place.
    if (status.kind !== 'retry' || status.pressed) return;
    setStatus({ ...status, pressed: true });
    try {
      const answer = await call('checkin.retry', { session });
      if (answer.next === 'decline') return go({ screen: 'decline', session, maskedIin, reason: 'attempts' });
      setSummary(null);
      setStatus({ kind: 'starting' });
      setAttempt((n) => n + 1);
    } catch {
      setStatus({ kind: 'error' });
    }
  }

  // A failed try starts again by itself once its reason has been shown and spoken (ui.retryAfterMs);
  // "Try again" starts it sooner. The timer goes with the failed-try screen.
  const retryAfterMs = settings.ui.retryAfterMs;
  const failedTry = status.kind === 'retry' && !status.pressed;
  const retryOnItsOwn = useEffectEvent(() => void retry());
  useEffect(() => {
    if (!failedTry || retryAfterMs <= 0) return;
    const timer = setTimeout(retryOnItsOwn, retryAfterMs);
    return () => clearTimeout(timer);
  }, [failedTry, retryAfterMs]);

  // Spoken as each instruction first appears (presence keys are voice keys); a failed try says so.
  useSpoken(summary?.instruction);
  useSpoken(status.kind === 'retry' ? 'voice.failedTry' : null);

  const instruction =
    status.kind === 'starting'
      ? t('camera.starting')
      : status.kind === 'finishing'
        ? t('camera.finishing')
        : status.kind === 'retry'
          ? `${t('camera.failedTry', { count: status.attemptsLeft })} ${t(presenceKey(status.reason))}.`
          : status.kind === 'error'
            ? t('common:errorTryAgain')
            : summary
              ? t(presenceKey(summary.instruction))
              : t('camera.lookAtCamera');

  return (
    <section className="screen camera" aria-labelledby="camera-title">
      <p className="who">{t('common:checkingIn', { masked: maskedIin })}</p>
      <h1 id="camera-title">{t('camera.title')}</h1>
      <div className="camera-stage">
        <div className="preview">
          <video ref={videoRef} className="preview-video" muted playsInline aria-label={t('camera.preview')} />
          {status.kind === 'live' &&
            summary?.faces.map((f, i) => (
              <div
                key={i}
                className="face-box"
                aria-hidden="true"
                style={{
                  left: `${(1 - f.x - f.width) * 100}%`,
                  top: `${f.y * 100}%`,
                  width: `${f.width * 100}%`,
                  height: `${f.height * 100}%`,
                }}
              />
            ))}
          {status.kind === 'live' && summary?.phase === 'challenge' && summary.challengeSide && (
            <div className={`turn-arrow turn-${summary.challengeSide}`} aria-hidden="true">
              {summary.challengeSide === 'left' ? '⟵' : '⟶'}
            </div>
          )}
          <canvas ref={canvasRef} hidden />
        </div>
        <div className="guidance">
          <p className="instruction" role="status" aria-live="polite">
            {instruction}
          </p>
          <ProgressRing value={summary?.progress ?? 0} label={t('camera.progress')} />
        </div>
      </div>
      <div className="actions">
        {status.kind === 'retry' && (
          <button type="button" className="button primary" disabled={status.pressed} onClick={() => void retry()}>
            {t('camera.tryAgain')}
          </button>
        )}
        <button
          type="button"
          className="button secondary"
          onClick={() => go({ screen: 'decline', session, maskedIin })}
        >
          {t('consent.withoutPhoto')}
        </button>
        <StartOverButton onClick={reset} />
      </div>
    </section>
  );
}
