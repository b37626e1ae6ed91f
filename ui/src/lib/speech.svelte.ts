// Read-aloud through the webview's own speech synthesis, where it exists
// (it is hidden where it does not). Nothing is recorded or sent anywhere.
class ReadAloud {
  speaking = $state<string | null>(null);
  readonly available = typeof window !== 'undefined' && 'speechSynthesis' in window;

  toggle(id: string, text: string, lang: string) {
    if (!this.available) return;
    const synth = window.speechSynthesis;
    synth.cancel();
    if (this.speaking === id) {
      this.speaking = null;
      return;
    }
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = lang;
    utterance.onend = () => (this.speaking = null);
    this.speaking = id;
    synth.speak(utterance);
  }

  stop() {
    if (this.available) window.speechSynthesis.cancel();
    this.speaking = null;
  }
}

export const readAloud = new ReadAloud();
