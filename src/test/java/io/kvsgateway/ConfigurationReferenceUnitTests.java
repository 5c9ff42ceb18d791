package io.kvsgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.util.unit.DataSize;

/**
 * Generates {@code docs/configuration.md} from the metadata Spring Boot's configuration processor writes at compile time
 * ({@code META-INF/spring-configuration-metadata.json}: names, types and the records' Javadoc {@code @param} texts), and
 * fails when the committed file differs, so the reference cannot drift from the code. Defaults come from the records
 * themselves: they are set in compact constructors, which the processor cannot read, so each record is built with every
 * component unset and its accessors are read.
 */
class ConfigurationReferenceUnitTests {

	static final Path REFERENCE = Path.of("docs", "configuration.md");

	static final String WRITE_PROPERTY = "configuration.reference.write";

	static final String REGENERATE = "./mvnw test -Dtest=ConfigurationReferenceUnitTests -D" + WRITE_PROPERTY + "=true";

	private final Metadata metadata = Metadata.load();

	@Test
	void referenceIsUpToDate() throws IOException {
		String generated = render(metadata);
		if (Boolean.getBoolean(WRITE_PROPERTY)) {
			Files.createDirectories(REFERENCE.getParent());
			Files.writeString(REFERENCE, generated, StandardCharsets.UTF_8);
		}
		String committed = Files.exists(REFERENCE) ? Files.readString(REFERENCE, StandardCharsets.UTF_8) : "";
		assertThat(committed).as(REFERENCE + " is out of date with the @ConfigurationProperties records; regenerate it with "
				+ REGENERATE + " and commit it").isEqualTo(generated);
	}

	@Test
	void everyConfigurationPropertiesTypeIsInTheMetadata() {
		ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
		scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
		Set<String> prefixes = new TreeSet<>();
		for (BeanDefinition candidate : scanner.findCandidateComponents("io.kvsgateway")) {
			ConfigurationProperties annotation = AnnotationUtils.findAnnotation(load(candidate.getBeanClassName()),
					ConfigurationProperties.class);
			prefixes.add(annotation.prefix().isEmpty() ? annotation.value() : annotation.prefix());
		}
		assertThat(prefixes).as("@ConfigurationProperties types found on the class path").isNotEmpty();
		assertThat(metadata.topLevelGroups().stream().map(Group::name).toList())
			.as("the configuration processor runs on the main sources (maven-compiler-plugin annotationProcessorPaths)")
			.containsAll(prefixes);
	}

	@Test
	void everyPropertyHasADescriptionAndADefaultIsFoundForEveryRecord() {
		assertThat(metadata.gatewayProperties()).isNotEmpty()
			.allSatisfy((property) -> assertThat(property.description())
				.as(property.name() + ": give its record component an @param in the record's Javadoc")
				.isNotBlank());
		assertThat(Defaults.of(metadata).valueOf("gateway.kvs.region")).isEqualTo("us-east-1");
		assertThat(Defaults.of(metadata).valueOf("gateway.local.put-media.idle-timeout")).isEqualTo(Duration.ofSeconds(30));
	}

	@Test
	void formatsValuesTheWaySpringBootBindsThem() {
		assertThat(format(Duration.ofMinutes(45))).isEqualTo("45m");
		assertThat(format(Duration.ofMillis(200))).isEqualTo("200ms");
		assertThat(format(Duration.ofHours(24))).isEqualTo("1d");
		assertThat(format(Duration.ZERO)).isEqualTo("0s");
		assertThat(format(DataSize.ofMegabytes(50))).isEqualTo("50MB");
		assertThat(format(DataSize.ofBytes(12_500_000))).isEqualTo("12500000B");
		assertThat(format(0.05)).isEqualTo("0.05");
		assertThat(format(10_000.0)).isEqualTo("10000");
		assertThat(format(Locale.Category.DISPLAY)).isEqualTo("display");
		assertThat(format(List.of())).isEmpty();
		assertThat(entryKeys("java.util.List<io.kvsgateway.ConfigurationReferenceUnitTests$Group>"))
			.isEqualTo(" Each entry has `name`, `type`, `source-method`.");
		assertThat(entryKeys("java.util.List<java.lang.String>")).isEmpty();
		assertThat(markdown("{@code a|b} and {@link #region}, {@link Budget#QUOTA_STORE}\n * more"))
			.isEqualTo("`a\\|b` and `region`, `QUOTA_STORE` more");
	}

	/** The reference: one section per {@code @ConfigurationProperties} prefix, one table row per property. */
	static String render(Metadata metadata) {
		Defaults defaults = Defaults.of(metadata);
		StringBuilder out = new StringBuilder();
		out.append("# Configuration reference\n\n");
		out.append("<!-- Generated from the configuration-properties metadata by ConfigurationReferenceUnitTests; do not edit.\n");
		out.append("     Regenerate: ").append(REGENERATE).append(" -->\n\n");
		out.append("Every `gateway.*` property, from the Javadoc of the `@ConfigurationProperties` record that binds it. ");
		out.append("Set them in `application.yaml`, as `--name=value` arguments or as environment variables (upper case, ");
		out.append("`.` and `-` become `_`: `gateway.kvs.mode` is `GATEWAY_KVS_MODE`). An empty default means unset. ");
		out.append("Durations take a unit (`ms`, `s`, `m`, `h`, `d`), sizes `B`, `KB`, `MB`, `GB` (powers of 1024). ");
		out.append("Spring Boot's own properties (`server.*`, `management.*`, `spring.security.oauth2.*`) are in its reference.\n");
		for (Group group : metadata.topLevelGroups()) {
			out.append("\n## `").append(group.name()).append("`\n\n");
			out.append("Bound to `").append(group.type().replace('$', '.')).append("`.\n\n");
			out.append("| property | type | default | description |\n");
			out.append("|---|---|---|---|\n");
			for (Property property : metadata.gatewayProperties()) {
				if (!group.name().equals(metadata.topLevelGroupOf(property).name())) {
					continue;
				}
				out.append("| `").append(property.name()).append("` | ")
					.append(type(property.type()))
					.append(" | ")
					.append(code(format(defaults.valueOf(property.name()))))
					.append(" | ")
					.append(description(property))
					.append(" |\n");
			}
		}
		return out.toString();
	}

	static String type(String type) {
		Class<?> loaded = loadOrNull(type);
		if (loaded != null && loaded.isEnum()) {
			return Arrays.stream(loaded.getEnumConstants())
				.map((constant) -> code(format(constant)))
				.collect(Collectors.joining(", "));
		}
		return code(type.replaceAll("(?:[a-z]\\w*\\.)+", "").replace('$', '.'));
	}

	static String description(Property property) {
		String description = markdown(property.description());
		String keys = entryKeys(property.type());
		return (keys.isEmpty() || description.endsWith(".")) ? description + keys : description + "." + keys;
	}

	/**
	 * The keys of each entry of a list or map of records, which the processor's metadata leaves out
	 * ({@code gateway.security.cameras[0].access-key-id}, {@code gateway.quota.streams[lobby].fragment-media}).
	 */
	static String entryKeys(String type) {
		Matcher element = Pattern.compile("java\\.util\\.(?:List|Set|Map)<(?:[\\w.$]+,)?([\\w.$]+)>").matcher(type);
		Class<?> loaded = element.matches() ? loadOrNull(element.group(1)) : null;
		if (loaded == null || !loaded.isRecord()) {
			return "";
		}
		return Arrays.stream(loaded.getRecordComponents())
			.map((component) -> code(component.getName().replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT)))
			.collect(Collectors.joining(", ", " Each entry has ", "."));
	}

	static String code(String text) {
		return text.isEmpty() ? "" : "`" + text.replace("|", "\\|") + "`";
	}

	/** Javadoc text to one Markdown table cell. */
	static String markdown(@Nullable String javadoc) {
		if (javadoc == null) {
			return "";
		}
		String text = javadoc.replaceAll("\\s*\\n\\s*\\*?\\s*", " ").strip();
		StringBuilder out = new StringBuilder();
		Matcher tag = Pattern.compile("\\{@(code|literal|link|linkplain)\\s+([^}]*)}").matcher(text);
		int from = 0;
		while (tag.find()) {
			out.append(text, from, tag.start()).append('\u0000');
			String body = tag.group(2).strip();
			if (tag.group(1).startsWith("link")) {
				String[] target = body.split("\\s+", 2);
				body = (target.length > 1) ? target[1] : target[0].substring(target[0].indexOf('#') + 1);
			}
			out.append(body).append('\u0000');
			from = tag.end();
		}
		out.append(text, from, text.length());
		return out.toString().replace("|", "\\|").replace('\u0000', '`');
	}

	/** A value the way it is written in configuration. */
	static String format(@Nullable Object value) {
		return switch (value) {
			case null -> "";
			case Duration duration -> format(duration);
			case DataSize size -> format(size);
			case Double number -> BigDecimal.valueOf(number).stripTrailingZeros().toPlainString();
			case Enum<?> constant -> constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
			case Collection<?> collection when collection.isEmpty() -> "";
			case Map<?, ?> map when map.isEmpty() -> "";
			default -> value.toString();
		};
	}

	private static String format(Duration duration) {
		long millis = duration.toMillis();
		if (millis == 0) {
			return "0s";
		}
		for (Map.Entry<String, Long> unit : List.of(Map.entry("d", 86_400_000L), Map.entry("h", 3_600_000L),
				Map.entry("m", 60_000L), Map.entry("s", 1_000L))) {
			if (millis % unit.getValue() == 0) {
				return (millis / unit.getValue()) + unit.getKey();
			}
		}
		return millis + "ms";
	}

	private static String format(DataSize size) {
		long bytes = size.toBytes();
		for (Map.Entry<String, Long> unit : List.of(Map.entry("GB", 1L << 30), Map.entry("MB", 1L << 20),
				Map.entry("KB", 1L << 10))) {
			if (bytes != 0 && bytes % unit.getValue() == 0) {
				return (bytes / unit.getValue()) + unit.getKey();
			}
		}
		return bytes + "B";
	}

	private static Class<?> load(@Nullable String name) {
		Class<?> loaded = loadOrNull(name);
		assertThat(loaded).as(name).isNotNull();
		return loaded;
	}

	private static @Nullable Class<?> loadOrNull(@Nullable String name) {
		try {
			return (name == null) ? null : Class.forName(name, false, ConfigurationReferenceUnitTests.class.getClassLoader());
		}
		catch (ClassNotFoundException ex) {
			return null;
		}
	}

	/** The part of the processor's output the reference uses. */
	@JsonIgnoreProperties(ignoreUnknown = true)
	record Metadata(List<Group> groups, List<Property> properties) {

		static Metadata load() {
			try {
				// Dependencies ship their own metadata under the same name; this project's is the one in a directory.
				for (URL url : Collections.list(ConfigurationReferenceUnitTests.class.getClassLoader()
					.getResources("META-INF/spring-configuration-metadata.json"))) {
					if (url.getProtocol().equals("file")) {
						try (InputStream in = url.openStream()) {
							return JsonMapper.builder().build().readValue(in, Metadata.class);
						}
					}
				}
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
			throw new IllegalStateException("no META-INF/spring-configuration-metadata.json in target/classes: the "
					+ "configuration processor did not run (a build directory compiled before it was configured needs "
					+ "`./mvnw clean`; see maven-compiler-plugin's annotationProcessorPaths)");
		}

		/** The {@code @ConfigurationProperties} types, by prefix. */
		List<Group> topLevelGroups() {
			return groups.stream()
				.filter((group) -> group.sourceMethod() == null && group.name().startsWith("gateway."))
				.sorted((a, b) -> a.name().compareTo(b.name()))
				.toList();
		}

		List<Property> gatewayProperties() {
			return properties.stream()
				.filter((property) -> property.name().startsWith("gateway."))
				.sorted((a, b) -> a.name().compareTo(b.name()))
				.toList();
		}

		Group topLevelGroupOf(Property property) {
			return topLevelGroups().stream()
				.filter((group) -> property.name().startsWith(group.name() + "."))
				.max((a, b) -> Integer.compare(a.name().length(), b.name().length()))
				.orElseThrow(() -> new IllegalStateException(property.name() + " belongs to no group"));
		}

	}

	@JsonIgnoreProperties(ignoreUnknown = true)
	record Group(String name, String type, @Nullable String sourceMethod) {
	}

	@JsonIgnoreProperties(ignoreUnknown = true)
	record Property(String name, String type, @Nullable String description) {
	}

	/**
	 * The records built with every component unset, which is what binding does when nothing is configured: their
	 * compact constructors fill in the defaults.
	 */
	record Defaults(Map<String, Object> byPrefix) {

		static Defaults of(Metadata metadata) {
			return new Defaults(metadata.topLevelGroups()
				.stream()
				.collect(Collectors.toMap(Group::name, (group) -> unset(load(group.type())))));
		}

		@Nullable Object valueOf(String name) {
			String prefix = byPrefix.keySet()
				.stream()
				.filter((candidate) -> name.startsWith(candidate + "."))
				.max((a, b) -> Integer.compare(a.length(), b.length()))
				.orElseThrow();
			Object value = byPrefix.get(prefix);
			for (String segment : name.substring(prefix.length() + 1).split("\\.")) {
				if (value == null || !value.getClass().isRecord()) {
					return null;
				}
				value = component(value, camelCase(segment));
			}
			return value;
		}

		private static Object unset(Class<?> type) {
			assertThat(type.isRecord()).as(type + " is a record").isTrue();
			RecordComponent[] components = type.getRecordComponents();
			Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
			Object[] arguments = new Object[types.length];
			for (int i = 0; i < types.length; i++) {
				arguments[i] = !types[i].isPrimitive() ? null : (types[i] == boolean.class) ? false : 0;
				if (types[i] == long.class) {
					arguments[i] = 0L;
				}
				else if (types[i] == double.class) {
					arguments[i] = 0.0;
				}
			}
			try {
				Constructor<?> canonical = type.getDeclaredConstructor(types);
				canonical.setAccessible(true);
				return canonical.newInstance(arguments);
			}
			catch (ReflectiveOperationException ex) {
				throw new IllegalStateException("cannot build " + type + " with every component unset", ex);
			}
		}

		private static @Nullable Object component(Object record, String name) {
			for (RecordComponent component : record.getClass().getRecordComponents()) {
				if (component.getName().equals(name)) {
					try {
						component.getAccessor().setAccessible(true);
						return component.getAccessor().invoke(record);
					}
					catch (ReflectiveOperationException ex) {
						throw new IllegalStateException(ex);
					}
				}
			}
			return null;
		}

		private static String camelCase(String kebab) {
			StringBuilder out = new StringBuilder();
			List<String> words = new ArrayList<>(List.of(kebab.split("-")));
			out.append(words.removeFirst());
			for (String word : words) {
				out.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
			}
			return out.toString();
		}

	}

}
