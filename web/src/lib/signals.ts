import { createEpisodes, type EventFactory } from './client-events.ts';
import type { ClientEvent } from './outbox.ts';

/**
 * Page signals a proctor cares about, as events: the tab hidden, the window left, full screen left, text
 * pasted, the network lost. Returns a function that stops listening (and closes open episodes).
 */
export function watchPageSignals(
  factory: EventFactory,
  emit: (event: ClientEvent) => void,
  target: Window = window,
): () => void {
  const episodes = createEpisodes();
  const phased = (key: string, field: string, active: boolean) => {
    if (active) {
      const id = episodes.start(key);
      if (id) emit(factory.make({ [field]: { phase: 'PHASE_START', episodeId: id } }));
    } else {
      const ended = episodes.end(key);
      if (ended)
        emit(
          factory.make({
            [field]: { phase: 'PHASE_END', episodeId: ended.id, durationMs: String(ended.durationMs) },
          }),
        );
    }
  };
  const doc = target.document;
  const onVisibility = () => phased('tab', 'tabHidden', doc.visibilityState === 'hidden');
  const onBlur = () => phased('window', 'windowBlurred', true);
  const onFocus = () => phased('window', 'windowBlurred', false);
  let wasFullscreen = !!doc.fullscreenElement;
  const onFullscreen = () => {
    if (wasFullscreen && !doc.fullscreenElement) emit(factory.make({ fullscreenExited: {} }));
    wasFullscreen = !!doc.fullscreenElement;
  };
  const onPaste = (e: ClipboardEvent) => {
    // Only the length: the pasted text itself never leaves the page.
    emit(factory.make({ clipboardPasted: { length: e.clipboardData?.getData('text').length ?? 0 } }));
  };
  const onOffline = () => phased('network', 'networkChanged', true);
  const onOnline = () => phased('network', 'networkChanged', false);

  doc.addEventListener('visibilitychange', onVisibility);
  doc.addEventListener('fullscreenchange', onFullscreen);
  doc.addEventListener('paste', onPaste);
  target.addEventListener('blur', onBlur);
  target.addEventListener('focus', onFocus);
  target.addEventListener('offline', onOffline);
  target.addEventListener('online', onOnline);
  return () => {
    doc.removeEventListener('visibilitychange', onVisibility);
    doc.removeEventListener('fullscreenchange', onFullscreen);
    doc.removeEventListener('paste', onPaste);
    target.removeEventListener('blur', onBlur);
    target.removeEventListener('focus', onFocus);
    target.removeEventListener('offline', onOffline);
    target.removeEventListener('online', onOnline);
    for (const key of ['tab', 'window', 'network'])
      phased(key, key === 'tab' ? 'tabHidden' : key === 'window' ? 'windowBlurred' : 'networkChanged', false);
  };
}
