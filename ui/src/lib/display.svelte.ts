// Display settings for a watched device. Kept in memory only: storing them
// would leave a trace that someone used the app.
import { api } from './api';
import { t } from './i18n.svelte';

class Display {
  largeText = $state(false);
  highContrast = $state(false);
  discreet = $state(false);

  apply() {
    if (typeof document === 'undefined') return;
    const root = document.documentElement;
    root.classList.toggle('large-text', this.largeText);
    root.classList.toggle('high-contrast', this.highContrast);
    const title = this.discreet ? t('discreet-title') : t('app-title');
    document.title = title;
    api.windowSetTitle(title).catch(() => {});
  }

  reset() {
    this.largeText = this.highContrast = this.discreet = false;
    this.apply();
  }
}

export const display = new Display();
