import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { scanVideo } from './qr-camera';

const REPEAT_AFTER_MS = 2000;

/** The camera preview for the eGov QR code; decoded text goes to `onText`, never into the page. */
export function QrCamera({ onText }: { onText: (text: string) => void }) {
  const { t } = useTranslation('decline');
  const videoRef = useRef<HTMLVideoElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const onTextRef = useRef(onText);
  const [state, setState] = useState<'starting' | 'live' | 'unavailable'>('starting');

  useEffect(() => {
    onTextRef.current = onText;
  }, [onText]);

  useEffect(() => {
    let stream: MediaStream | undefined;
    let stopScan: (() => void) | undefined;
    let stopped = false;
    const video = videoRef.current;
    const canvas = canvasRef.current;
    void (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          video: { width: { ideal: 640 }, height: { ideal: 480 } },
          audio: false,
        });
      } catch {
        if (!stopped) setState('unavailable');
        return;
      }
      if (stopped || !video || !canvas) return stream.getTracks().forEach((track) => track.stop());
      video.srcObject = stream;
      await video.play().catch(() => undefined);
      setState('live');
      // The camera reads the same code many times a second: pass on a repeat only after a pause.
      let last = '';
      let lastAt = 0;
      stopScan = scanVideo(video, canvas, (text) => {
        const at = performance.now();
        if (text === last && at - lastAt < REPEAT_AFTER_MS) return;
        last = text;
        lastAt = at;
        onTextRef.current(text);
      });
    })();
    return () => {
      stopped = true;
      stopScan?.();
      stream?.getTracks().forEach((track) => track.stop());
      if (video) video.srcObject = null;
    };
  }, []);

  return (
    <div className="decline-qr">
      <p>{t('qr.instructions')}</p>
      <div className="preview">
        <video ref={videoRef} className="preview-video" muted playsInline aria-label={t('qr.preview')} />
        <canvas ref={canvasRef} hidden />
      </div>
      <p className="instruction" role="status" aria-live="polite">
        {state === 'starting' ? t('qr.starting') : state === 'live' ? t('qr.looking') : t('qr.unavailable')}
      </p>
    </div>
  );
}
