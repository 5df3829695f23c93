import { useEffect, useRef } from 'react';
import { i18n } from '#i18n';
import type { VerifyText } from '../logic/texts';

/** The outcome of "Test connection": what happened, what to do, and the server's own words. */
export function TestResult({ text }: { text: VerifyText }) {
  const box = useRef<HTMLDivElement>(null);
  // The popup is short: bring the answer into view (it is announced by its role as well).
  // (Braces: Chromium's scrollIntoView now returns a promise, and an effect may only return a cleanup function.)
  useEffect(() => {
    box.current?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
  }, [text]);
  return (
    <div
      ref={box}
      className={`notice ${text.ok ? 'notice-ok' : 'notice-error'}`}
      role={text.ok ? 'status' : 'alert'}
      data-testid="test-result"
    >
      <p className="notice-title">
        <span aria-hidden="true">{text.ok ? '✓ ' : '✕ '}</span>
        {text.title}
      </p>
      {text.fix && (
        <p>
          <strong>{i18n.t('popup.test.fix')}: </strong>
          {text.fix}
        </p>
      )}
      {text.detail && <p className="notice-detail">{i18n.t('popup.test.serverSaid', [text.detail])}</p>}
    </div>
  );
}
