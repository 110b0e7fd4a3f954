// The phone's camera as a QR reader, shared by the checkpoint and sampling screens. One button
// turns it on and off; qr-scanner is loaded on first use (the pages pass its hashed URL), and
// every code it reads goes to `onCode`, which decides what a repeated read means.

export class Camera {
  constructor({ video, box, button, scannerUrl, onCode }) {
    Object.assign(this, { video, box, button, scannerUrl, onCode });
    this.scanner = null;
    this.on = false;
  }

  // Answers false when the camera could not start (no permission, no camera, no HTTPS).
  async toggle() {
    if (this.on) {
      this.scanner.stop();
      this.on = false;
      this.box.hidden = true;
      this.button.textContent = this.button.dataset.start;
      return true;
    }
    try {
      if (!this.scanner) {
        const QrScanner = (await import(this.scannerUrl)).default;
        this.scanner = new QrScanner(this.video, (found) => this.onCode(found.data), {
          returnDetailedScanResult: true,
          preferredCamera: "environment",
          highlightScanRegion: true,
          maxScansPerSecond: 10,
        });
      }
      this.box.hidden = false;
      await this.scanner.start();
      this.on = true;
      this.button.textContent = this.button.dataset.stop;
      return true;
    } catch {
      this.box.hidden = true;
      return false;
    }
  }

  pause() {
    this.scanner?.pause();
  }

  resume() {
    if (this.on) this.scanner.start();
  }
}
