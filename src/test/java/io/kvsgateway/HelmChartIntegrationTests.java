package io.kvsgateway;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Renders {@code helm/kvs-gateway} with the real helm template engine (helm-java runs helm's Go library from its
 * jar) and reads the manifests into Kubernetes model objects, so that what is asserted is what a cluster would get.
 */
class HelmChartIntegrationTests {

	private static final Path CHART = Path.of("helm", "kvs-gateway");

	private static final Path CI_VALUES = Path.of("src", "test", "resources", "helm", "ci-values.yaml");

	private static final String RELEASE = "video";

	@Test
	void lintsClean() {
		LintResult lint = new Helm(CHART).lint().strict().call();

		assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
	}

	@Test
	void defaultsRunOneHardenedPodWithTheEmbeddedStore() {
		List<HasMetadata> manifests = render(template());

		assertThat(manifests).extracting(HasMetadata::getKind)
			.containsExactlyInAnyOrder("ServiceAccount", "ConfigMap", "Service", "Deployment");
		Deployment deployment = one(manifests, Deployment.class);
		assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
		PodSpec pod = deployment.getSpec().getTemplate().getSpec();
		assertHardened(pod);
		Container gateway = pod.getContainers().get(0);
		assertThat(gateway.getImage()).isEqualTo("ghcr.io/kvs-gateway/kvs-gateway:0.1.0");
		assertThat(gateway.getPorts()).singleElement()
			.satisfies((port) -> assertThat(port.getContainerPort()).isEqualTo(8080))
			.satisfies((port) -> assertThat(port.getName()).isEqualTo("http"));
		assertProbe(gateway.getLivenessProbe(), "/actuator/health/liveness");
		assertProbe(gateway.getStartupProbe(), "/actuator/health/liveness");
		assertProbe(gateway.getReadinessProbe(), "/actuator/health/readiness");

		// the store's data dir and /tmp are writable volumes; without persistence they are emptyDirs
		assertThat(gateway.getVolumeMounts()).extracting("name", "mountPath")
			.contains(tuple("tmp", "/tmp"),
					tuple("data", "/app/data"),
					tuple("config", "/app/config"));
		assertThat(pod.getVolumes()).filteredOn((volume) -> volume.getName().equals("data"))
			.singleElement()
			.satisfies((volume) -> assertThat(volume.getEmptyDir()).isNotNull());
		assertThat(pod.getVolumes()).filteredOn((volume) -> volume.getName().equals("tmp"))
			.singleElement()
			.satisfies((volume) -> assertThat(volume.getEmptyDir().getSizeLimit()).hasToString("256Mi"));
		assertThat(env(gateway, "GATEWAY_LOCAL_DATA_DIR")).contains("/app/data");
		assertThat(env(gateway, "SPRING_CONFIG_ADDITIONAL_LOCATION")).contains("optional:file:/app/config/");
		assertThat(gateway.getEnvFrom()).isNullOrEmpty();

		Map<String, Object> config = applicationConfig(manifests);
		assertThat(config).extractingByKey("gateway")
			.asInstanceOf(InstanceOfAssertFactories.MAP)
			.containsEntry("kvs", Map.of("mode", "embedded", "region", "us-east-1"))
			.extractingByKey("quota")
			.isEqualTo(Map.of("store", "local", "replicas", 1, "redis-unavailable", "local-fallback"));
		assertThat(config).doesNotContainKey("spring");

		ServiceAccount account = one(manifests, ServiceAccount.class);
		assertThat(account.getMetadata().getAnnotations()).isNullOrEmpty();
		assertThat(pod.getServiceAccountName()).isEqualTo(account.getMetadata().getName());
		assertThat(pod.getAutomountServiceAccountToken()).isFalse();

		for (HasMetadata manifest : manifests) {
			assertStandardLabels(manifest);
		}
		Service service = one(manifests, Service.class);
		assertThat(service.getSpec().getSelector()).containsOnly(Map.entry("app.kubernetes.io/name", "kvs-gateway"),
				Map.entry("app.kubernetes.io/instance", RELEASE));
		assertThat(deployment.getSpec().getSelector().getMatchLabels()).isEqualTo(service.getSpec().getSelector());
		assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
			.containsAllEntriesOf(service.getSpec().getSelector());
	}

	@Test
	void ciValuesRunSeveralPodsOnRedisInAwsThroughIrsa() {
		List<HasMetadata> manifests = render(template().withValuesFile(CI_VALUES));

		assertThat(manifests).extracting(HasMetadata::getKind)
			.containsExactlyInAnyOrder("ServiceAccount", "ConfigMap", "Service", "Deployment", "PodDisruptionBudget",
					"Ingress", "ServiceMonitor");
		Deployment deployment = one(manifests, Deployment.class);
		assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
		PodSpec pod = deployment.getSpec().getTemplate().getSpec();
		assertHardened(pod);

		assertThat(one(manifests, ServiceAccount.class).getMetadata().getAnnotations())
			.containsEntry("eks.amazonaws.com/role-arn", "arn:aws:iam::123456789012:role/kvs-gateway");

		// the Redis URL (credentials and all) comes from the Secret, not the ConfigMap
		Container gateway = pod.getContainers().get(0);
		assertThat(gateway.getEnv()).filteredOn((env) -> env.getName().equals("GATEWAY_QUOTA_REDIS_URL"))
			.singleElement()
			.satisfies((env) -> assertThat(env.getValueFrom().getSecretKeyRef().getName())
				.isEqualTo("kvs-gateway-redis"));
		Map<String, Object> config = applicationConfig(manifests);
		assertThat(config).extractingByKey("gateway")
			.asInstanceOf(InstanceOfAssertFactories.MAP)
			.containsEntry("kvs", Map.of("mode", "aws", "region", "eu-west-1"))
			.extractingByKey("quota")
			.isEqualTo(Map.of("store", "redis", "replicas", 3, "redis-unavailable", "reject"));
		assertThat(config).extractingByKey("spring")
			.isEqualTo(Map.of("security", Map.of("oauth2", Map.of("resourceserver",
					Map.of("jwt", Map.of("issuer-uri", "https://issuer.example.com/realms/cameras"))))));

		PodDisruptionBudget budget = one(manifests, PodDisruptionBudget.class);
		assertThat(budget.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
		assertThat(budget.getSpec().getSelector().getMatchLabels())
			.isEqualTo(deployment.getSpec().getSelector().getMatchLabels());

		Ingress ingress = one(manifests, Ingress.class);
		assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
		assertThat(ingress.getSpec().getRules()).singleElement().satisfies((rule) -> {
			assertThat(rule.getHost()).isEqualTo("video.example.com");
			assertThat(rule.getHttp().getPaths()).singleElement()
				.satisfies((path) -> assertThat(path.getBackend().getService().getName())
					.isEqualTo(one(manifests, Service.class).getMetadata().getName()));
		});

		GenericKubernetesResource monitor = one(manifests, GenericKubernetesResource.class);
		assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
		assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
		Map<String, Object> endpoint = monitor.get("spec", "endpoints", 0);
		assertThat(endpoint).containsEntry("port", "http").containsEntry("path", "/actuator/prometheus");

		for (HasMetadata manifest : manifests) {
			assertStandardLabels(manifest);
		}
	}

	@Test
	void secretsGoToASecretReadAsEnvironmentNeverToTheConfigMap() {
		List<HasMetadata> manifests = render(template().set("secrets.localAccessKeyId", "AKIDPRODUCTION")
			.set("secrets.localSecretAccessKey", "s3cr3t-value"));

		Secret secret = one(manifests, Secret.class);
		assertThat(secret.getStringData()).containsOnly(Map.entry("GATEWAY_LOCAL_ACCESS_KEY_ID", "AKIDPRODUCTION"),
				Map.entry("GATEWAY_LOCAL_SECRET_ACCESS_KEY", "s3cr3t-value"));
		Container gateway = one(manifests, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
		assertThat(gateway.getEnvFrom()).singleElement()
			.satisfies((source) -> assertThat(source.getSecretRef().getName())
				.isEqualTo(secret.getMetadata().getName()));
		assertThat(one(manifests, ConfigMap.class).getData().get("application.yaml")).doesNotContain("s3cr3t-value");
		// a changed secret rolls the pods, as a changed configuration does
		assertThat(one(manifests, Deployment.class).getSpec().getTemplate().getMetadata().getAnnotations())
			.containsKeys("checksum/config", "checksum/secret");
	}

	@Test
	void extraConfigGoesOverTheChartsSettings() {
		Map<String, Object> config = applicationConfig(
				render(template().set("gateway.extraConfig.gateway.quota.max-wait", "2s")
					.set("gateway.extraConfig.gateway.kvs.region", "ap-southeast-2")));

		assertThat(config).extractingByKey("gateway")
			.asInstanceOf(InstanceOfAssertFactories.MAP)
			.containsEntry("kvs", Map.of("mode", "embedded", "region", "ap-southeast-2"))
			.extractingByKey("quota")
			.isEqualTo(Map.of("store", "local", "replicas", 1, "redis-unavailable", "local-fallback", "max-wait", "2s"));
	}

	@Test
	void autoscalingReplacesTheReplicaCountAndBringsTheDisruptionBudget() {
		List<HasMetadata> manifests = render(template().set("quota.store", "redis")
			.set("autoscaling.enabled", true)
			.set("autoscaling.minReplicas", 2)
			.set("autoscaling.maxReplicas", 5));

		assertThat(one(manifests, Deployment.class).getSpec().getReplicas()).isNull();
		HorizontalPodAutoscaler autoscaler = one(manifests, HorizontalPodAutoscaler.class);
		assertThat(autoscaler.getSpec().getMinReplicas()).isEqualTo(2);
		assertThat(autoscaler.getSpec().getMaxReplicas()).isEqualTo(5);
		assertThat(autoscaler.getSpec().getScaleTargetRef().getName())
			.isEqualTo(one(manifests, Deployment.class).getMetadata().getName());
		assertThat(manifests).extracting(HasMetadata::getKind).contains("PodDisruptionBudget");
	}

	@Test
	void oneReplicaGetsNoDisruptionBudget() {
		// a budget of one pod with minAvailable 1 would block every node drain
		assertThat(render(template().set("quota.store", "redis").set("replicaCount", 1)))
			.extracting(HasMetadata::getKind)
			.doesNotContain("PodDisruptionBudget", "HorizontalPodAutoscaler");
		assertThat(render(template().set("quota.store", "redis")
			.set("autoscaling.enabled", true)
			.set("autoscaling.minReplicas", 1))).extracting(HasMetadata::getKind)
			.contains("HorizontalPodAutoscaler")
			.doesNotContain("PodDisruptionBudget");
	}

	@Test
	void moreThanOneReplicaNeedsTheRedisQuotaStore() {
		assertThatThrownBy(() -> template().set("replicaCount", 3).call())
			.hasMessageContaining("more than one replica")
			.hasMessageContaining("requires quota.store=redis");
		assertThatThrownBy(() -> template().set("autoscaling.enabled", true).call())
			.hasMessageContaining("requires quota.store=redis");
	}

	@Test
	void persistenceKeepsTheStoreOnAClaim() {
		List<HasMetadata> manifests = render(template().set("persistence.enabled", true).set("persistence.size", "20Gi"));

		HasMetadata claim = manifests.stream()
			.filter((manifest) -> manifest.getKind().equals("PersistentVolumeClaim"))
			.findFirst()
			.orElseThrow();
		assertThat(one(manifests, Deployment.class).getSpec().getTemplate().getSpec().getVolumes())
			.filteredOn((volume) -> volume.getName().equals("data"))
			.singleElement()
			.satisfies((volume) -> assertThat(volume.getPersistentVolumeClaim().getClaimName())
				.isEqualTo(claim.getMetadata().getName()));
	}

	@Test
	void theSchemaRefusesUnknownModesAndMisspelledValues() {
		assertThatThrownBy(() -> template().set("gateway.kvs.mode", "cloud").call())
			.hasMessageContaining("/gateway/kvs/mode")
			.hasMessageContaining("'embedded', 'aws'");
		assertThatThrownBy(() -> template().set("quota.stor", "redis").call()).hasMessageContaining("stor");
	}

	private static TemplateCommand template() {
		return new Helm(CHART).template().withName(RELEASE).withNamespace("video");
	}

	private static List<HasMetadata> render(TemplateCommand template) {
		return Arrays.stream(template.call().split("(?m)^---\\s*$"))
			.filter((document) -> document.lines()
				.anyMatch((line) -> !line.isBlank() && !line.stripLeading().startsWith("#")))
			.map((document) -> Serialization.<HasMetadata>unmarshal(document))
			.toList();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> applicationConfig(List<HasMetadata> manifests) {
		return Serialization.unmarshal(one(manifests, ConfigMap.class).getData().get("application.yaml"), Map.class);
	}

	private static <T extends HasMetadata> T one(List<HasMetadata> manifests, Class<T> type) {
		List<T> matching = manifests.stream().filter(type::isInstance).map(type::cast).toList();
		assertThat(matching).as(type.getSimpleName()).hasSize(1);
		return matching.get(0);
	}

	private static Optional<String> env(Container container, String name) {
		return container.getEnv().stream().filter((env) -> env.getName().equals(name)).findFirst()
			.map(EnvVar::getValue);
	}

	private static void assertHardened(PodSpec pod) {
		assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
		assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
		assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(10001L);
		assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
		assertThat(pod.getContainers()).singleElement().satisfies((container) -> {
			var context = container.getSecurityContext();
			assertThat(context.getRunAsNonRoot()).isTrue();
			assertThat(context.getRunAsUser()).isEqualTo(10001L);
			assertThat(context.getReadOnlyRootFilesystem()).isTrue();
			assertThat(context.getAllowPrivilegeEscalation()).isFalse();
			assertThat(context.getPrivileged()).isNotEqualTo(Boolean.TRUE);
			assertThat(context.getCapabilities().getDrop()).containsExactly("ALL");
			assertThat(context.getCapabilities().getAdd()).isNullOrEmpty();
			assertThat(context.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
		});
	}

	private static void assertProbe(Probe probe, String path) {
		assertThat(probe).isNotNull();
		assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
		// the named port is the container's 8080
		assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
	}

	private static void assertStandardLabels(HasMetadata manifest) {
		assertThat(manifest.getMetadata().getLabels()).as("labels of %s", manifest.getKind())
			.containsEntry("app.kubernetes.io/name", "kvs-gateway")
			.containsEntry("app.kubernetes.io/instance", RELEASE)
			.containsEntry("app.kubernetes.io/version", "0.1.0")
			.containsEntry("app.kubernetes.io/managed-by", "Helm")
			.containsEntry("helm.sh/chart", "kvs-gateway-0.1.0");
	}

}
