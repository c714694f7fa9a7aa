package dev.evomerge.eval.harness;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpreterFactory;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.filter.Filter;
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
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withFailOnUnknownTokens(true)
                .withElResolver(resolver)
                .withInterperterFactory(new PythonPrinting())
                .build();
        jinjava = new Jinjava(config);
        jinjava.getGlobalContext().registerFilter(new StringFilter());
        jinjava.getGlobalContext().registerFilter(new RegexReplaceFilter());
    }

    /** Renders {@code template} with the document's fields as variables. */
    public String render(String template, Map<String, ?> doc) {
        RenderResult r;
        try {
            r = jinjava.renderForResult(template, doc);
        } catch (RuntimeException e) {
            throw new TemplateException(oneLine(e.getMessage()));
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
