package dev.evomerge.eval.harness;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpreterFactory;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.util.HasObjectTruthValue;
import java.util.Map;
import java.util.regex.Pattern;
import jinjava.javax.el.CompositeELResolver;

/**
 * Renders lm-evaluation-harness's Jinja templates as its Jinja environment does (undefined names are errors,
 * trailing newlines kept, a {@code regex_replace} filter), with Python's semantics for what the templates call
 * on documents' values ({@link PythonMethods}) and Python's {@code str()} for what they print ({@link PyValues}).
 *
 * {@snippet :
 * HarnessTemplates t = new HarnessTemplates();
 * t.render("{{text.split(' ')[:-1]|join(' ')}}", Map.of("text", "the cat sat"));   // "the cat"
 * }
 */
public final class HarnessTemplates {

    /** A template that could not be rendered; the message is one line and names the cause. */
    public static final class TemplateException extends RuntimeException {
        TemplateException(String message) {
            super(message);
        }
    }

    private final Jinjava jinjava;

    public HarnessTemplates() {
        this(false);
    }

    /**
     * @param chat set up as Hugging Face's chat templates are rendered: {@code trim_blocks} and
     *             {@code lstrip_blocks}, and a {@code raise_exception(message)} function
     */
    HarnessTemplates(boolean chat) {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withFailOnUnknownTokens(true)
                .withElResolver(resolver)
                .withInterperterFactory(new PythonPrinting())
                .withTrimBlocks(chat)
                .withLstripBlocks(chat)
                .build();
        jinjava = new Jinjava(config);
        jinjava.getGlobalContext().registerFilter(new StringFilter());
        jinjava.getGlobalContext().registerFilter(new RegexReplaceFilter());
        jinjava.getGlobalContext().registerExpTest(new IsNoneTest());
        if (chat) {
            jinjava.getGlobalContext().registerFunction(new com.hubspot.jinjava.lib.fn.ELFunctionDefinition("",
                    "raise_exception", HarnessTemplates.class, "raiseException", String.class));
        }
    }

    // jinjava reports a function's exception without its message; the message travels beside it.
    private static final ThreadLocal<String> RAISED = new ThreadLocal<>();

    /** A chat template's {@code raise_exception}: the template refuses the messages. */
    public static String raiseException(String message) {
        RAISED.set(message);
        throw new TemplateException("the chat template refused the messages: " + message);
    }

    /**
     * Python's {@code None} inside templates: a document's null field is defined (only a missing one is an
     * error), false, and prints as {@code None}.
     */
    enum PyNone implements HasObjectTruthValue {
        NONE;

        @Override
        public boolean getObjectTruthValue() {
            return false;
        }

        @Override
        public String toString() {
            return "None";
        }
    }

    /** Null fields become {@link PyNone}, at any depth, so that jinjava tells them from missing ones. */
    static Object withNone(Object value) {
        return switch (value) {
            case null -> PyNone.NONE;
            case Map<?, ?> m -> {
                Map<Object, Object> out = new java.util.LinkedHashMap<>();
                m.forEach((k, v) -> out.put(k, withNone(v)));
                yield out;
            }
            case java.util.List<?> l -> l.stream().map(HarnessTemplates::withNone).toList();
            default -> value;
        };
    }

    /** Jinja's {@code is none}, true for {@link PyNone}. */
    private static final class IsNoneTest implements ExpTest {
        @Override
        public String getName() {
            return "none";
        }

        @Override
        public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
            return var == null || var == PyNone.NONE;
        }
    }

    /** Renders {@code template} with the document's fields as variables. */
    public String render(String template, Map<String, ?> doc) {
        RenderResult r;
        RAISED.remove();
        try {
            @SuppressWarnings("unchecked")
            Map<String, ?> fields = (Map<String, ?>) withNone(doc);
            r = jinjava.renderForResult(template, fields);
        } catch (RuntimeException e) {
            throw new TemplateException(oneLine(e.getMessage()));
        }
        if (RAISED.get() != null) {
            String raised = RAISED.get();
            RAISED.remove();
            throw new TemplateException("raise_exception: " + oneLine(raised));
        }
        if (r.hasErrors()) {
            TemplateError e = r.getErrors().getFirst();
            throw new TemplateException(oneLine(e.getMessage()));
        }
        return r.getOutput();
    }

    private static String oneLine(String m) {
        if (m == null) {
            return "template error";
        }
        String s = m.replace("UnknownTokenException: Unknown token found: ", "undefined name: ");
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Interpreters that print values as Python's {@code str()} does. */
    private static final class PythonPrinting implements InterpreterFactory {
        @Override
        public JinjavaInterpreter newInstance(JinjavaInterpreter orig) {
            return new PyInterpreter(orig);
        }

        @Override
        public JinjavaInterpreter newInstance(Jinjava application, Context context, JinjavaConfig renderConfig) {
            return new PyInterpreter(application, context, renderConfig);
        }
    }

    private static final class PyInterpreter extends JinjavaInterpreter {
        PyInterpreter(JinjavaInterpreter orig) {
            super(orig);
        }

        PyInterpreter(Jinjava application, Context context, JinjavaConfig config) {
            super(application, context, config);
        }

        @Override
        public String getAsString(Object value) {
            return PyValues.str(value);
        }
    }

    /** Jinja's {@code string} filter: Python's {@code str()}. */
    private static final class StringFilter implements Filter {
        @Override
        public String getName() {
            return "string";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return PyValues.str(var);
        }
    }

    /** lm-evaluation-harness's {@code regex_replace(pattern, repl, count=0)}, Python's {@code re.sub}. */
    private static final class RegexReplaceFilter implements Filter {
        @Override
        public String getName() {
            return "regex_replace";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            if (args.length < 2) {
                throw new IllegalArgumentException("regex_replace takes a pattern and a replacement");
            }
            int count = args.length > 2 ? Integer.parseInt(args[2].strip()) : 0;
            var m = Pattern.compile(args[0]).matcher(PyValues.str(var));
            String repl = args[1].replaceAll("\\\\(\\d)", "\\$$1");
            StringBuilder sb = new StringBuilder();
            int done = 0;
            while ((count == 0 || done < count) && m.find()) {
                m.appendReplacement(sb, repl);
                done++;
            }
            m.appendTail(sb);
            return sb.toString();
        }
    }
}
