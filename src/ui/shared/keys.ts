/** Nomad's "g then key" navigation shortcuts (g j jobs, g c clients, …), ignored while typing. */
export function installGoShortcuts(targets: Record<string, string>): void {
  let armed = false;
  document.addEventListener('keydown', (e) => {
    const t = e.target as HTMLElement | null;
    if (e.ctrlKey || e.metaKey || e.altKey || (t && (t.closest('input, textarea, select, .xterm') || t.isContentEditable))) return;
    if (armed && targets[e.key]) {
      location.hash = targets[e.key]!;
      armed = false;
      return;
    }
    armed = e.key === 'g';
  });
}
