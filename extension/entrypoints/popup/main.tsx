import { createRoot } from 'react-dom/client';
import '../../popup/styles.css';
import { uiLocale } from '../../popup/logic/texts';
import { App } from './App';

document.documentElement.lang = uiLocale();
createRoot(document.getElementById('root')!).render(<App />);
