// L4Load: tiny echo backends and bounded load generators for the L4 bench (127.0.0.1 only).
//   tcpecho PORT              accept, echo bytes until EOF (64 threads blocking on one ServerSocket)
//   udpecho PORT              echo every datagram to its sender
//   tcpconn PORT CONC SECS    CONC threads: connect, send 1 byte, read 1 byte, close; prints conns/s
//   udp PORT SOCKS WINDOW SECS  SOCKS sockets each keep WINDOW 32-byte datagrams in flight; prints
//                             answered/s and loss (sent - answered, incl. those in flight at the end)
import java.io.*; import java.net.*; import java.util.concurrent.*; import java.util.concurrent.atomic.*;
public class L4Load {
  public static void main(String[] a) throws Exception {
    switch (a[0]) {
      case "tcpecho" -> { ServerSocket ss = new ServerSocket(); ss.setReuseAddress(true);
        ss.bind(new InetSocketAddress("127.0.0.1", Integer.parseInt(a[1])), 1024);
        for (int i = 0; i < 64; i++) new Thread(() -> { byte[] b = new byte[65536];
          while (true) { try (Socket s = ss.accept()) { s.setTcpNoDelay(true); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream();
            int n; while ((n = in.read(b)) > 0) out.write(b, 0, n); } catch (IOException e) { } } }).start(); }
      case "udpecho" -> { DatagramSocket ds = new DatagramSocket(new InetSocketAddress("127.0.0.1", Integer.parseInt(a[1])));
        ds.setReceiveBufferSize(4 << 20); byte[] b = new byte[2048]; DatagramPacket p = new DatagramPacket(b, b.length);
        while (true) { p.setLength(b.length); ds.receive(p); ds.send(p); } }
      case "tcpconn" -> { int port = Integer.parseInt(a[1]), conc = Integer.parseInt(a[2]); long end = System.nanoTime() + Long.parseLong(a[3]) * 1_000_000_000L;
        AtomicLong ok = new AtomicLong(), err = new AtomicLong(), eof = new AtomicLong(), tmo = new AtomicLong(), other = new AtomicLong(); AtomicReference<String> msg = new AtomicReference<>(); Thread[] ts = new Thread[conc]; long t0 = System.nanoTime();
        for (int i = 0; i < conc; i++) { ts[i] = new Thread(() -> { while (System.nanoTime() < end) {
          try (Socket s = new Socket()) { s.setTcpNoDelay(true); s.setSoTimeout(2000); s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.getOutputStream().write('x'); if (s.getInputStream().read() == 'x') ok.incrementAndGet(); else { err.incrementAndGet(); eof.incrementAndGet(); } }
          catch (SocketTimeoutException e) { err.incrementAndGet(); tmo.incrementAndGet(); }
          catch (IOException e) { err.incrementAndGet(); other.incrementAndGet(); if (msg.get() == null) msg.set(e.toString()); } } }); ts[i].start(); }
        for (Thread t : ts) t.join(); double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("conns_ok=%d errors=%d (eof_before_reply=%d timeout=%d other=%d %s) secs=%.2f conns_per_s=%.0f%n", ok.get(), err.get(), eof.get(), tmo.get(), other.get(), msg.get() == null ? "" : msg.get(), secs, ok.get() / secs); }
      case "udp" -> { int port = Integer.parseInt(a[1]), socks = Integer.parseInt(a[2]), win = Integer.parseInt(a[3]); long end = System.nanoTime() + Long.parseLong(a[4]) * 1_000_000_000L;
        AtomicLong sent = new AtomicLong(), got = new AtomicLong(); Thread[] ts = new Thread[socks]; long t0 = System.nanoTime();
        InetSocketAddress dst = new InetSocketAddress("127.0.0.1", port);
        for (int i = 0; i < socks; i++) { ts[i] = new Thread(() -> { try (DatagramSocket ds = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            ds.setSoTimeout(200); byte[] out = new byte[32]; byte[] in = new byte[2048]; DatagramPacket rp = new DatagramPacket(in, in.length);
            for (int k = 0; k < win; k++) { ds.send(new DatagramPacket(out, out.length, dst)); sent.incrementAndGet(); }
            while (System.nanoTime() < end) { try { rp.setLength(in.length); ds.receive(rp); got.incrementAndGet(); }
              catch (SocketTimeoutException te) { for (int k = 0; k < win; k++) { ds.send(new DatagramPacket(out, out.length, dst)); sent.incrementAndGet(); } continue; }
              ds.send(new DatagramPacket(out, out.length, dst)); sent.incrementAndGet(); } } catch (IOException e) { throw new UncheckedIOException(e); } }); ts[i].start(); }
        for (Thread t : ts) t.join(); double secs = (System.nanoTime() - t0) / 1e9; long s = sent.get(), g = got.get();
        System.out.printf("sent=%d answered=%d secs=%.2f answered_per_s=%.0f unanswered=%d (%.3f%%)%n", s, g, secs, g / secs, s - g, 100.0 * (s - g) / s); }
      default -> throw new IllegalArgumentException(a[0]);
    }
  }
}
