import { useEffect, useState } from 'react';

/** A page-level notice for what outlives its compose (the send result after the draft is closed). */
export function Toast({ text }: { text: string }) {
  const [visible, setVisible] = useState(true);
  useEffect(() => {
    const timer = setTimeout(() => setVisible(false), 8_000);
    return () => clearTimeout(timer);
  }, []);
  return (
    <div className="sw-toast" role="status" data-testid="sw-toast" hidden={!visible}>
      {text}
    </div>
  );
}
