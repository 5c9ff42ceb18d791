package io.kvsgateway.security;

import java.util.List;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;

/** A camera that proved its configured access key with a SigV4 signature; it holds no secret. */
final class CameraKeyAuthentication extends AbstractAuthenticationToken {

	private static final long serialVersionUID = 1L;

	private final String accessKeyId;

	private final List<String> streams;

	CameraKeyAuthentication(String accessKeyId, List<String> streams) {
		super(AuthorityUtils.createAuthorityList(CameraSecurity.INGEST));
		this.accessKeyId = accessKeyId;
		this.streams = List.copyOf(streams);
		setAuthenticated(true);
	}

	boolean covers(String streamName) {
		return streams.stream().anyMatch(pattern -> StreamAccess.matches(pattern, streamName));
	}

	@Override
	public Object getCredentials() {
		return "";
	}

	@Override
	public Object getPrincipal() {
		return accessKeyId;
	}

}
