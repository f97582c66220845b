package io.archway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class ProcessStartTest {

    /** Field 22 of /proc/PID/stat is the start in ticks of 1/100 s since boot; the name may hold ") (". */
    @Test
    void theAgeIsTheTimeSinceBootLessTheStart() {
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 30 0 7422950 123 456 rest";
        assertThat(ProcessStart.ageNanos(stat, "74230.75 54273.36\n")).isEqualTo(1_250_000_000L);
        assertThatThrownBy(() -> ProcessStart.ageNanos(stat, "74229.00 1.0\n"))
                .isInstanceOf(IllegalStateException.class);
    }

    /**
     * The process started a little before its JVM did (exec, then the JVM's creation): the figure is
     * the JVM's uptime plus that, to the kernel's 10 ms; the boot time in whole seconds that the JDK's
     * {@code startInstant} rests on made it up to a second more.
     */
    @Test
    @EnabledOnOs(OS.LINUX)
    void theProcessAgeIsTheJvmsUptimeToTheKernelsResolution() {
        long jvm = ManagementFactory.getRuntimeMXBean().getUptime();
        long process = ProcessStart.millisSince();
        long jvmAfter = ManagementFactory.getRuntimeMXBean().getUptime();
        assertThat(process).isBetween(jvm - 20, jvmAfter + 300);
        long now = System.nanoTime();
        assertThat(ProcessStart.millisBefore(now)).isBetween(process - 20, ProcessStart.millisSince() + 1);
    }
}
