package io.hps.testing;

import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Lowers Netty leak detection from the build's {@code paranoid} to {@code simple} for one test
 * class and restores it afterwards. For classes whose buffers all belong to a third-party client
 * (Redisson): paranoid records a stack trace on every buffer access of the client's codecs, which
 * makes a 20,000-key Redis batch take seconds, while simple still reports leaks.
 * Use with {@code @ExtendWith(SimpleLeakDetection.class)}.
 */
public final class SimpleLeakDetection implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SimpleLeakDetection.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NAMESPACE).put("level", ResourceLeakDetector.getLevel());
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        ResourceLeakDetector.setLevel(context.getStore(NAMESPACE).get("level", ResourceLeakDetector.Level.class));
    }
}
