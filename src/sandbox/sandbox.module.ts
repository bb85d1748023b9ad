import { Module } from '@nestjs/common';
import { PartnersModule } from '@/partners/partners.module';
import { StaffModule } from '@/staff/staff.module';
import { UsersModule } from '@/users/users.module';
import { SandboxSeeder } from './sandbox.seeder';

@Module({ imports: [PartnersModule, StaffModule, UsersModule], providers: [SandboxSeeder] })
export class SandboxModule {}
