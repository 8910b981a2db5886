// Reads a franchise's QR code with the camera, where the browser has BarcodeDetector.
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { t } from "../i18n/index.ts";
import { Button } from "../ui.tsx";

interface Detector {
  detect(source: HTMLVideoElement): Promise<Array<{ rawValue: string }>>;
}
type DetectorClass = new (options: { formats: string[] }) => Detector;

export const canScan = (): boolean =>
  typeof window !== "undefined" &&
  "BarcodeDetector" in window &&
  Boolean(navigator.mediaDevices?.getUserMedia);

const param = "franchise";

/** The franchise id a QR code names: a URL with ?franchise=fra_…, or a bare fra_… id. */
export function franchiseFromCode(text: string): string | undefined {
  const raw = text.trim();
  if (/^fra_[A-Za-z0-9_-]+$/.test(raw)) return raw;
  try {
    const id = new URL(raw).searchParams.get(param);
    return id && /^fra_[A-Za-z0-9_-]+$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

export function Scanner(props: { onCode: (franchiseId: string) => void; onStop: () => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const failed = useSignal<string | undefined>(undefined);
  const unknown = useSignal(false);
  useEffect(() => {
    let stream: MediaStream | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let alive = true;
    const Barcode = (window as unknown as { BarcodeDetector: DetectorClass }).BarcodeDetector;
    const detector = new Barcode({ formats: ["qr_code"] });
    const scan = async () => {
      const node = video.current;
      if (!alive || !node) return;
      try {
        if (node.readyState >= 2) {
          for (const code of await detector.detect(node)) {
            const id = franchiseFromCode(code.rawValue);
            if (id) {
              props.onCode(id);
              return;
            }
            unknown.value = true;
          }
        }
      } catch {
        // A frame the detector could not read: try the next one.
      }
      timer = setTimeout(() => void scan(), 250);
    };
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(
      (s) => {
        stream = s;
        if (!alive || !video.current) {
          for (const track of s.getTracks()) track.stop();
          return;
        }
        video.current.srcObject = s;
        void video.current.play().catch(() => undefined);
        void scan();
      },
      () => {
        failed.value = t("wallet.pay.cameraFailed");
      },
    );
    return () => {
      alive = false;
      clearTimeout(timer);
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
  }, []);
  return (
    <div class="stack scanner-box">
      {failed.value ? (
        <p class="problem" role="alert">
          {failed.value}
        </p>
      ) : (
        <p class="muted" role="status">
          {unknown.value ? t("wallet.pay.notOurCode") : t("wallet.pay.pointCamera")}
        </p>
      )}
      <video ref={video} class="scanner" muted playsInline aria-label={t("wallet.pay.camera")} />
      <Button kind="plain" onClick={props.onStop}>
        {t("wallet.pay.stopScan")}
      </Button>
    </div>
  );
}
