import { useEffect, useState } from 'react';
import { send } from '../../lib/messaging';
import { i18n } from '#i18n';

export function App() {
  const [version, setVersion] = useState<string>();
  useEffect(() => {
    send('ping', {}).then((r) => setVersion(r.version), () => undefined);
  }, []);
  return (
    <main style={{ width: 380, padding: 16, fontFamily: 'system-ui, sans-serif' }}>
      <h1 style={{ fontSize: 18, margin: 0 }}>{i18n.t('extName')}</h1>
      {version && <p data-testid="version">v{version}</p>}
    </main>
  );
}
