import { createRoot } from 'react-dom/client';
import '../../popup/styles.css';
import { uiLocale } from '../../popup/logic/texts';
import './options.css';
import { App } from './App';

document.documentElement.lang = uiLocale();
document.title = browser.i18n.getMessage('options_title');
createRoot(document.getElementById('root')!).render(<App />);
