package io.hps.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Records Netty buffer leaks so tests can assert that none happened. Installed as a JUnit
 * launcher session listener, so the recording detector is in place before any Netty buffer class
 * initialises; sets the detection level to paranoid (every buffer tracked).
 */
public final class NettyLeaks implements LauncherSessionListener {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        install();
    }

    static void install() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                       long maxActive) {
                return new ResourceLeakDetector<T>(resource, samplingInterval) {
                    @Override
                    protected void reportTracedLeak(String resourceType, String records) {
                        LEAKS.add(resourceType + " leaked:" + records);
                    }

                    @Override
                    protected void reportUntracedLeak(String resourceType) {
                        LEAKS.add(resourceType + " leaked");
                    }
                };
            }
        });
    }

    /**
     * Collects garbage and allocates buffers until the detector has reported every unreachable
     * unreleased buffer, then returns the leaks recorded so far (and forgets them).
     */
    public static List<String> collect() {
        for (int i = 0; i < 5; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (int j = 0; j < 64; j++) {
                ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(16);
                b.release();
                ByteBuf h = ByteBufAllocator.DEFAULT.heapBuffer(16);
                h.release();
            }
        }
        List<String> leaks = new ArrayList<>(LEAKS);
        LEAKS.clear();
        return leaks;
    }

    /** Whether the recording detector is the one Netty uses. */
    public static boolean installed() {
        return ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.PARANOID;
    }
}
