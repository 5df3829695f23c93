import { createRoot } from 'react-dom/client';
import { App } from './App';

document.documentElement.lang = browser.i18n.getUILanguage();
createRoot(document.getElementById('root')!).render(<App />);
