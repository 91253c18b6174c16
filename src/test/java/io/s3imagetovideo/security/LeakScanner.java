package io.s3imagetovideo.security;

import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * Collects everything the functions put out (stdout and stderr, where their log lines go; every body
 * written to S3; every SQS message sent; every exception thrown out of a handler and every value a
 * handler returned) and looks for the API key in it: the whole key, any 12 characters of it in a row
 * (a key cut short for "debugging" is still a leak), and its Base64 form.
 */
final class LeakScanner implements AutoCloseable {

    /** The shortest piece of a key that counts as a leak: long enough never to occur by chance. */
    static final int FRAGMENT = 12;

    /** One thing the functions put out, and where it went. */
    record Output(String channel, String text) {}

    private final Set<String> needles = new LinkedHashSet<>();
    private final List<Output> outputs = new ArrayList<>();
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final PrintStream originalOut = System.out;
    private final PrintStream originalErr = System.err;

    /** Starts capturing stdout and stderr (they still reach the console). */
    LeakScanner(String... keys) {
        for (String key : keys) {
            needles.add(key);
            needles.add(Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8)));
            for (int i = 0; i + FRAGMENT <= key.length(); i++) {
                needles.add(key.substring(i, i + FRAGMENT));
            }
        }
        System.setOut(tee(originalOut, stdout));
        System.setErr(tee(originalErr, stderr));
    }

    private static PrintStream tee(PrintStream console, ByteArrayOutputStream copy) {
        return new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (copy) {
                    copy.write(b);
                }
                console.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (copy) {
                    copy.write(b, off, len);
                }
                console.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8);
    }

    synchronized void add(String channel, String text) {
        if (text != null) {
            outputs.add(new Output(channel, text));
        }
    }

    /** A body as bytes: decoded one byte per char, so that an ASCII key shows whatever surrounds it. */
    void add(String channel, byte[] bytes) {
        add(channel, new String(bytes, StandardCharsets.ISO_8859_1));
        add(channel + " (UTF-8)", new String(bytes, StandardCharsets.UTF_8));
    }

    /** An exception as the Lambda runtime reports it: type, message, stack, causes and suppressed ones. */
    void addThrown(String channel, Throwable t) {
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        add(channel, t.toString());
        add(channel + " (stack trace)", trace.toString());
    }

    /** Log lines captured so far (stdout). */
    String stdout() {
        synchronized (stdout) {
            return stdout.toString(StandardCharsets.UTF_8);
        }
    }

    /** Everything collected so far, the captured console output included. */
    List<Output> outputs() {
        List<Output> all = new ArrayList<>();
        synchronized (this) {
            all.addAll(outputs);
        }
        all.add(new Output("stdout", stdout()));
        synchronized (stderr) {
            all.add(new Output("stderr", stderr.toString(StandardCharsets.UTF_8)));
        }
        return all;
    }

    /** Where some piece of a key was found: one line per finding, with the text around it. */
    List<String> findings() {
        List<String> found = new ArrayList<>();
        for (Output output : outputs()) {
            for (String needle : needles) {
                int at = output.text().indexOf(needle);
                if (at >= 0) {
                    int from = Math.max(0, at - 80);
                    int to = Math.min(output.text().length(), at + needle.length() + 40);
                    found.add(output.channel() + ": ..." + output.text().substring(from, to).replace('\n', ' ') + "...");
                    break;
                }
            }
        }
        return found;
    }

    void assertNoLeak() {
        List<String> found = findings();
        if (!found.isEmpty()) {
            fail("The API key (or 12+ characters of it) leaked into:\n  " + String.join("\n  ", found));
        }
    }

    /** The S3 client with every request body the function sends (records, video parts) recorded. */
    S3Client recording(S3Client real) {
        return (S3Client) Proxy.newProxyInstance(S3Client.class.getClassLoader(), new Class<?>[] {S3Client.class},
                (proxy, method, args) -> {
                    if (args != null) {
                        for (Object arg : args) {
                            if (arg instanceof RequestBody body) {
                                try (var in = body.contentStreamProvider().newStream()) {
                                    add("s3 " + method.getName() + " body", in.readAllBytes());
                                }
                            } else if (arg != null && !(arg instanceof Consumer<?>)) {
                                // The request itself: key, metadata, tags
                                add("s3 " + method.getName() + " request", arg.toString());
                            }
                        }
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** The SQS client with every message body the function sends recorded. */
    @SuppressWarnings("unchecked")
    SqsClient recording(SqsClient real) {
        return (SqsClient) Proxy.newProxyInstance(SqsClient.class.getClassLoader(), new Class<?>[] {SqsClient.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("sendMessage") && args != null && args.length == 1) {
                        SendMessageRequest request;
                        if (args[0] instanceof Consumer<?> consumer) {
                            var builder = SendMessageRequest.builder();
                            ((Consumer<SendMessageRequest.Builder>) consumer).accept(builder);
                            request = builder.build();
                        } else {
                            request = (SendMessageRequest) args[0];
                        }
                        add("sqs message body", request.messageBody());
                        add("sqs message attributes", String.valueOf(request.messageAttributes()));
                        return real.sendMessage(request);
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** Puts stdout and stderr back. */
    @Override
    public void close() {
        System.setOut(originalOut);
        System.setErr(originalErr);
    }
}
