/**
 * The Resource Manager gateway: the only module that imports @alicloud/resourcemanager20200331. Lists a
 * Resource Directory's member accounts (`ListAccounts`, or `ListAccountsForParent` per folder) and folders
 * (`ListFoldersForParent`), every page.
 */
import * as rm from '@alicloud/resourcemanager20200331';
import type { Credentials } from './credentials.js';
import { type RetryOptions, withRetry } from './retry.js';
import { teaClientClass, teaCloudError, teaConfig } from './tea-errors.js';

type RmClass = typeof rm.default.default;
const RmClient = teaClientClass<RmClass>(rm as unknown as { default: unknown });

export interface DirectoryAccount {
  accountId: string;
  displayName: string;
  folderId: string;
  /** CreateSuccess, InviteSuccess, PromoteSuccess (usable) or a pending/failed state. */
  status: string;
  /** `rd-xx/r-xx/fd-xx/<accountId>`: every folder above the account. */
  path: string;
}

export interface DirectoryFolder {
  folderId: string;
  folderName: string;
}

export interface DirectoryReader {
  listAccounts(parentFolderId?: string): Promise<DirectoryAccount[]>;
  listFolders(parentFolderId?: string): Promise<DirectoryFolder[]>;
}

export interface ResourceManagerGatewayOptions {
  credentials: Credentials;
  /** `http://127.0.0.1:PORT` (the emulator); default `resourcemanager.aliyuncs.com` over HTTPS. */
  endpoint?: string;
  retry?: RetryOptions;
  timeoutMs?: number;
  /** Page size (1..100, default 100). */
  pageSize?: number;
}

const PAGE_SIZE_MAX = 100;

export class ResourceManagerGateway implements DirectoryReader {
  private client: InstanceType<RmClass> | undefined;
  constructor(private readonly opts: ResourceManagerGatewayOptions) {}

  private sdk(): InstanceType<RmClass> {
    if (!this.client) {
      this.client = new RmClient(
        teaConfig(this.opts, 'resourcemanager.aliyuncs.com') as ConstructorParameters<RmClass>[0],
      );
    }
    return this.client;
  }

  /** Reads every page of a paged call; `call` gets the page number and returns its items and the total. */
  private async allPages<T>(
    what: string,
    call: (pageNumber: number, pageSize: number) => Promise<{ items: T[]; total: number }>,
  ): Promise<T[]> {
    const pageSize = Math.min(this.opts.pageSize ?? PAGE_SIZE_MAX, PAGE_SIZE_MAX);
    const out: T[] = [];
    for (let page = 1; ; page += 1) {
      const { items, total } = await withRetry(async () => {
        try {
          return await call(page, pageSize);
        } catch (err) {
          throw teaCloudError(err, what);
        }
      }, this.opts.retry);
      out.push(...items);
      if (items.length === 0 || out.length >= total) return out;
    }
  }

  /** Every account of the directory, or the accounts directly in `parentFolderId`. */
  listAccounts(parentFolderId?: string): Promise<DirectoryAccount[]> {
    type Raw = {
      accountId?: string;
      displayName?: string;
      folderId?: string;
      status?: string;
      resourceDirectoryPath?: string;
    };
    const convert = (a: Raw): DirectoryAccount => ({
      accountId: a.accountId ?? '',
      displayName: a.displayName ?? '',
      folderId: a.folderId ?? '',
      status: a.status ?? '',
      path: a.resourceDirectoryPath ?? '',
    });
    if (parentFolderId === undefined) {
      return this.allPages('ListAccounts', async (pageNumber, pageSize) => {
        const res = await this.sdk().listAccounts(new rm.ListAccountsRequest({ pageNumber, pageSize }));
        const items = (res.body?.accounts?.account ?? []) as Raw[];
        return { items: items.map(convert), total: res.body?.totalCount ?? 0 };
      });
    }
    return this.allPages(`ListAccountsForParent ${parentFolderId}`, async (pageNumber, pageSize) => {
      const res = await this.sdk().listAccountsForParent(
        new rm.ListAccountsForParentRequest({ parentFolderId, pageNumber, pageSize }),
      );
      const items = (res.body?.accounts?.account ?? []) as Raw[];
      return { items: items.map(convert), total: res.body?.totalCount ?? 0 };
    });
  }

  /** The folders directly under `parentFolderId` (default: the root folder). */
  listFolders(parentFolderId?: string): Promise<DirectoryFolder[]> {
    return this.allPages(`ListFoldersForParent ${parentFolderId ?? 'root'}`, async (pageNumber, pageSize) => {
      const res = await this.sdk().listFoldersForParent(
        new rm.ListFoldersForParentRequest({
          ...(parentFolderId ? { parentFolderId } : {}),
          pageNumber,
          pageSize,
        }),
      );
      const items = res.body?.folders?.folder ?? [];
      return {
        items: items.map((f) => ({ folderId: f.folderId ?? '', folderName: f.folderName ?? '' })),
        total: res.body?.totalCount ?? 0,
      };
    });
  }
}
